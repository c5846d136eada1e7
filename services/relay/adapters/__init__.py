"""The adapter registry: a channel's provider kind picks its adapter."""
from services.relay.adapters.anthropic import AnthropicAdapter
from services.relay.adapters.demo import DemoAdapter
from services.relay.adapters.gemini import GeminiAdapter
from services.relay.adapters.midjourney import MidjourneyAdapter
from services.relay.adapters.jimeng import JimengAdapter
from services.relay.adapters.kling import KlingAdapter
from services.relay.adapters.openai import OpenAIAdapter
from services.relay.adapters.suno import SunoAdapter
from services.relay.adapters.dashscope import DashScopeAdapter

ADAPTERS = {
    "openai": OpenAIAdapter(),
    "anthropic": AnthropicAdapter(),
    "demo": DemoAdapter(),
    "gemini": GeminiAdapter(),
    "midjourney": MidjourneyAdapter(),
    "suno": SunoAdapter(),
    "dashscope": DashScopeAdapter(),
    "kling": KlingAdapter(),
    "jimeng": JimengAdapter(),
}


def adapter_for(provider: str):
    return ADAPTERS.get(provider)
