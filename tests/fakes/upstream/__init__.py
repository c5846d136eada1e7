"""Fake upstream LLM provider (OpenAI Chat Completions + Anthropic Messages) for Tollgate tests.

Run it as a process: ``python -m tests.fakes.fake_upstream --port 0``; drive it from tests with
``tests.fakes.upstream_client.FakeUpstream``. Importing this package does not monkey-patch.
"""
from .app import FakeUpstreamApp
from .behaviour import DEFAULTS, DirectiveError
from .server import main, make_server

__all__ = ["FakeUpstreamApp", "DEFAULTS", "DirectiveError", "main", "make_server"]
