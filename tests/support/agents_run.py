"""One OpenAI Agents SDK run, as a user would write it, in a process of its own:

    OPENAI_BASE_URL=http://127.0.0.1:<port>/v1 OPENAI_API_KEY=sk-... OPENAI_AGENTS_DISABLE_TRACING=1 \\
        python -m tests.support.agents_run MODEL "PROMPT" [MARKER_FILE [TOOL_SUFFIX]]

An `Agent` with one function tool (`write_marker`, which writes its `text`
argument to MARKER_FILE and answers "wrote <text>", then TOOL_SUFFIX if
given, e.g. a fake upstream directive for the next turn) and `Runner.run_sync`, on the SDK's default model
class (the Responses API). Prints one JSON line: `final_output`, `tool_calls`
(the arguments the tool was called with), `usage` (the run's summed usage).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from agents import Agent, Runner, function_tool

    model, prompt = argv[0], argv[1]
    marker = Path(argv[2]) if len(argv) > 2 else None
    suffix = (" " + argv[3]) if len(argv) > 3 else ""
    calls: list[dict] = []

    @function_tool
    def write_marker(text: str) -> str:
        """Write the text to the marker file and say so."""
        calls.append({"text": text})
        if marker is not None:
            marker.write_text(text)
        return f"wrote {text}{suffix}"

    agent = Agent(name="Tollgate test agent", instructions="Use the tool when asked.", model=model,
                  tools=[write_marker])
    result = Runner.run_sync(agent, prompt, max_turns=4)
    usage = result.context_wrapper.usage
    print(json.dumps({"final_output": result.final_output, "tool_calls": calls,
                      "usage": {"requests": usage.requests, "input_tokens": usage.input_tokens,
                                "output_tokens": usage.output_tokens, "total_tokens": usage.total_tokens}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
