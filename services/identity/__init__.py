"""Who is calling: users and their sessions, registering and claiming purchases,
API keys (issued, authenticated, managed by their owner, looked up by the key alone)."""
