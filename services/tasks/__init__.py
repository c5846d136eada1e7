"""Work that outlives its request: submit (hold, send, record), poll (lease,
fetch, settle or release exactly once), and the client's views of it.

A family is one task protocol (OpenAI videos, Midjourney, Suno, …): a
module in services.tasks.families that reads the client's submit, the
upstream's answers and writes the client's views. Transport is the
channel's adapter's; credits move only through the ledger."""
