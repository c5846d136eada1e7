"""Code samples for the docs page, one per language, for this site's own base URL."""
from __future__ import annotations

SAMPLES = {
    "cURL": """curl {endpoint} \\
  -H "Authorization: Bearer $TOLLGATE_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{{"model": "{model}", "messages": [{{"role": "user", "content": "Hello!"}}]}}'""",
    "Python": """# pip install openai
import os
from openai import OpenAI

client = OpenAI(api_key=os.environ["TOLLGATE_KEY"], base_url="{api_base}")
reply = client.chat.completions.create(
    model="{model}",
    messages=[{{"role": "user", "content": "Hello!"}}],
)
print(reply.choices[0].message.content)
print("credits:", reply.usage.model_extra["credits"])""",
    "Node.js": """// npm install openai
import OpenAI from "openai";

const client = new OpenAI({{ apiKey: process.env.TOLLGATE_KEY, baseURL: "{api_base}" }});
const reply = await client.chat.completions.create({{
  model: "{model}",
  messages: [{{ role: "user", content: "Hello!" }}],
}});
console.log(reply.choices[0].message.content);""",
    "Go": """package main

import (
\t"bytes"
\t"fmt"
\t"io"
\t"net/http"
\t"os"
)

func main() {{
\tbody := []byte(`{{"model": "{model}", "messages": [{{"role": "user", "content": "Hello!"}}]}}`)
\treq, _ := http.NewRequest("POST", "{endpoint}", bytes.NewReader(body))
\treq.Header.Set("Authorization", "Bearer "+os.Getenv("TOLLGATE_KEY"))
\treq.Header.Set("Content-Type", "application/json")
\tresp, err := http.DefaultClient.Do(req)
\tif err != nil {{
\t\tpanic(err)
\t}}
\tdefer resp.Body.Close()
\tout, _ := io.ReadAll(resp.Body)
\tfmt.Println(resp.Status, string(out))
}}""",
    "Java": """import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class Hello {{
    public static void main(String[] args) throws Exception {{
        String body = "{{\\"model\\": \\"{model}\\", \\"messages\\": [{{\\"role\\": \\"user\\", \\"content\\": \\"Hello!\\"}}]}}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("{endpoint}"))
            .header("Authorization", "Bearer " + System.getenv("TOLLGATE_KEY"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        HttpResponse<String> response = HttpClient.newHttpClient()
            .send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(response.statusCode() + " " + response.body());
    }}
}}""",
    "PHP": """<?php
$ch = curl_init("{endpoint}");
curl_setopt_array($ch, [
    CURLOPT_POST => true,
    CURLOPT_RETURNTRANSFER => true,
    CURLOPT_HTTPHEADER => [
        "Authorization: Bearer " . getenv("TOLLGATE_KEY"),
        "Content-Type: application/json",
    ],
    CURLOPT_POSTFIELDS => json_encode([
        "model" => "{model}",
        "messages" => [["role" => "user", "content" => "Hello!"]],
    ]),
]);
$reply = json_decode(curl_exec($ch), true);
echo $reply["choices"][0]["message"]["content"], PHP_EOL;""",
    "C#": """using System.Net.Http.Headers;
using System.Text;

var http = new HttpClient();
http.DefaultRequestHeaders.Authorization =
    new AuthenticationHeaderValue("Bearer", Environment.GetEnvironmentVariable("TOLLGATE_KEY"));
var body = new StringContent(
    "{{\\"model\\": \\"{model}\\", \\"messages\\": [{{\\"role\\": \\"user\\", \\"content\\": \\"Hello!\\"}}]}}",
    Encoding.UTF8, "application/json");
var response = await http.PostAsync("{endpoint}", body);
Console.WriteLine(await response.Content.ReadAsStringAsync());""",
}

STREAM = """stream = client.chat.completions.create(
    model="{model}",
    messages=[{{"role": "user", "content": "Hello!"}}],
    stream=True,
    stream_options={{"include_usage": True}},  # the last chunk then carries usage.credits
)
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        print(chunk.choices[0].delta.content, end="", flush=True)"""

CLAUDE_CODE = """# macOS / Linux
export ANTHROPIC_BASE_URL="{site}"
export ANTHROPIC_AUTH_TOKEN="sk-your-tollgate-key"
claude

# Windows PowerShell
$env:ANTHROPIC_BASE_URL = "{site}"
$env:ANTHROPIC_AUTH_TOKEN = "sk-your-tollgate-key"
claude"""


CODEX = """# ~/.codex/config.toml  (your key in the TOLLGATE_API_KEY environment variable)
model = "{model}"
model_provider = "tollgate"
model_context_window = 64000      # Codex does not know this model: tell it the window

[model_providers.tollgate]
name = "Tollgate"
base_url = "{api_base}"
env_key = "TOLLGATE_API_KEY"
wire_api = "responses"
"""

AGENTS = """# export OPENAI_BASE_URL="{api_base}"  OPENAI_API_KEY="sk-your-tollgate-key"
# export OPENAI_AGENTS_DISABLE_TRACING=1   # else traces go to api.openai.com with your key
from agents import Agent, Runner, function_tool

@function_tool
def get_weather(city: str) -> str:
    \"\"\"Weather in a city.\"\"\"
    return "sunny"

agent = Agent(name="Assistant", model="{model}", tools=[get_weather])
print(Runner.run_sync(agent, "Weather in Paris?").final_output)"""

GEMINI_CLI = """# ~/.gemini/settings.json  (without it, a custom base URL fails: "Invalid auth method selected.")
{{"security": {{"auth": {{"selectedType": "gemini-api-key"}}}}}}

# macOS / Linux: the site address, without /v1beta
export GOOGLE_GEMINI_BASE_URL="{site}"
export GEMINI_API_KEY="sk-your-tollgate-key"
gemini -m {model}"""

GENAI = """from google import genai
from google.genai import types

client = genai.Client(api_key="sk-your-tollgate-key",
                      http_options=types.HttpOptions(base_url="{site}"))  # no /v1beta
answer = client.models.generate_content(model="{model}", contents="Hello!")
print(answer.text)
for chunk in client.models.generate_content_stream(model="{model}", contents="Hello again!"):
    print(chunk.text or "", end="", flush=True)
print(client.models.count_tokens(model="{model}", contents="How long is this?").total_tokens)  # free"""


MEDIA_PYTHON = """import os
from openai import OpenAI

client = OpenAI(api_key=os.environ["TOLLGATE_KEY"], base_url="{api_base}")
vectors = client.embeddings.create(model="text-embedding-3-small", input=["first text", "second text"])
image = client.images.generate(model="dall-e-3", prompt="a lighthouse at dawn", size="1024x1024",
                               quality="hd", response_format="b64_json")
edited = client.images.edit(model="gpt-image-1", image=[open("photo.png", "rb")], prompt="add a red hat")
with client.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy",
                                                          input="Hello from Tollgate.") as speech:
    speech.stream_to_file("hello.mp3")
text = client.audio.transcriptions.create(model="whisper-1", file=open("hello.mp3", "rb"))
srt = client.audio.transcriptions.create(model="whisper-1", file=open("hello.mp3", "rb"), response_format="srt")
english = client.audio.translations.create(model="whisper-1", file=open("bonjour.mp3", "rb"))
flags = client.moderations.create(model="omni-moderation-latest", input="some text")"""

MEDIA_CURL = """curl {api_base}/rerank \\
  -H "Authorization: Bearer $TOLLGATE_KEY" -H "Content-Type: application/json" \\
  -d '{{"model": "jina-reranker-v2-base-multilingual", "query": "capital of France",
       "documents": ["Paris is the capital of France.", "Berlin is in Germany."],
       "top_n": 1, "return_documents": true}}'

curl {api_base}/audio/transcriptions -H "Authorization: Bearer $TOLLGATE_KEY" \\
  -F model=whisper-1 -F file=@hello.mp3 -F response_format=vtt"""

VIDEO_TASKS_CURL = """curl {site}/kling/v1/videos/text2video -H "Authorization: Bearer $TOLLGATE_KEY" \\
  -H "Content-Type: application/json" -d '{{"model_name": "kling-v1", "prompt": "A lighthouse at dawn", "mode": "std", "duration": "5"}}'
# {{"code": 0, "data": {{"task_id": "kling_3f9c...", "task_status": "submitted", ...}}, ...}}
curl {site}/kling/v1/videos/text2video/kling_3f9c... -H "Authorization: Bearer $TOLLGATE_KEY"   # until "succeed"
curl -o lighthouse.mp4 {site}/kling/v1/videos/text2video/kling_3f9c.../content -H "Authorization: Bearer $TOLLGATE_KEY"

curl "{site}/jimeng/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31" -H "Authorization: Bearer $TOLLGATE_KEY" \\
  -H "Content-Type: application/json" -d '{{"req_key": "jimeng_vgfm_t2v_l20", "prompt": "A lighthouse at dawn", "frames": 121}}'
curl "{site}/jimeng/?Action=CVSync2AsyncGetResult&Version=2022-08-31" -H "Authorization: Bearer $TOLLGATE_KEY" \\
  -H "Content-Type: application/json" -d '{{"req_key": "jimeng_vgfm_t2v_l20", "task_id": "jimeng_3f9c..."}}'   # until its status is done"""


def render(site: str, api_base: str, endpoint: str, model: str) -> dict:
    values = {"site": site, "api_base": api_base, "endpoint": endpoint, "model": model}
    return {"samples": {name: code.format(**values) for name, code in SAMPLES.items()},
            "stream": STREAM.format(**values), "claude_code": CLAUDE_CODE.format(**values),
            "codex": CODEX.format(**values), "agents": AGENTS.format(**values),
            "gemini_cli": GEMINI_CLI.format(**values), "genai": GENAI.format(**values),
            "media_python": MEDIA_PYTHON.format(**values), "media_curl": MEDIA_CURL.format(**values),
            "video_tasks_curl": VIDEO_TASKS_CURL.format(**values)}
