"""Wire formats ("dialects"), each with the one reader of its usage.

Every place that needs the tokens of an answer, the meter that bills it and
the converters that restate it for a client of another dialect, reads them
through the dialect's `read_usage` and writes them with its `usage_dict`, so
two readers of one format cannot disagree about what was used."""
from services.relay.dialects import anthropic_messages, gemini, openai_audio_speech, openai_audio_transcriptions, \
    openai_chat, openai_completions, openai_images, openai_realtime, openai_responses, openai_units

DIALECTS = {module.NAME: module for module in (openai_chat, anthropic_messages, openai_responses, gemini,
                                               openai_completions, openai_audio_speech, openai_audio_transcriptions,
                                               openai_images, *openai_units.FAMILIES, openai_realtime)}


def dialect(name: str):
    """The dialect module for `name` (KeyError for one we do not speak)."""
    return DIALECTS[name]


__all__ = ["DIALECTS", "anthropic_messages", "dialect", "gemini", "openai_audio_speech",
           "openai_audio_transcriptions", "openai_chat", "openai_completions", "openai_images", "openai_responses"]
