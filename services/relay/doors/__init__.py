"""The doors: one per inbound protocol (services.relay.doors.base.Door)."""
from services.relay.doors import anthropic_messages, embeddings, gemini, gemini_embeddings, moderations, \
    openai_audio_speech, openai_audio_transcriptions, openai_chat, openai_completions, openai_images, \
    openai_responses, rerank

# By dialect; translations share the transcriptions dialect (openai_audio_transcriptions.TRANSLATIONS).
DOORS = {door.dialect: door for door in (openai_chat.DOOR, anthropic_messages.DOOR, openai_responses.DOOR,
                                         gemini.DOOR, openai_completions.DOOR, openai_audio_speech.DOOR,
                                         openai_audio_transcriptions.DOOR, openai_images.DOOR, embeddings.DOOR,
                                         gemini_embeddings.DOOR, moderations.DOOR, rerank.DOOR)}
