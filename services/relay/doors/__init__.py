"""The doors: one per inbound protocol (services.relay.doors.base.Door)."""
from services.relay.doors import anthropic_messages, gemini, openai_chat, openai_completions, openai_images, \
    openai_responses

DOORS = {door.dialect: door for door in (openai_chat.DOOR, anthropic_messages.DOOR, openai_responses.DOOR,
                                         gemini.DOOR, openai_completions.DOOR, openai_images.DOOR)}
