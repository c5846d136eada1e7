"""What can be called: the in-memory catalog snapshot, models and prices as the
operator edits them, channels (upstreams), and the dialect names they speak."""
