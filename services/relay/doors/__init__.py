"""The doors: one per inbound protocol (services.relay.doors.base.Door)."""
from services.relay.doors import anthropic_messages, embeddings, gemini, gemini_embeddings, moderations, openai_chat, \
    openai_completions, openai_responses, rerank

DOORS = {door.dialect: door for door in (openai_chat.DOOR, anthropic_messages.DOOR, openai_responses.DOOR,
                                         gemini.DOOR, openai_completions.DOOR, embeddings.DOOR,
                                         gemini_embeddings.DOOR, moderations.DOOR, rerank.DOOR)}
