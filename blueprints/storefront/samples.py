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

MJ_CURL = """curl {site}/mj/submit/imagine -H "mj-api-secret: $TOLLGATE_KEY" -H "Content-Type: application/json" \\
  -d '{{"prompt": "a lighthouse at dawn --ar 16:9"}}'
# {{"code": 1, "description": "Submit success", "result": "mj_3f9c...", "properties": {{}}}}
curl {site}/mj/task/mj_3f9c.../fetch -H "mj-api-secret: $TOLLGATE_KEY"   # until "status": "SUCCESS"
curl {site}/mj/submit/action -H "mj-api-secret: $TOLLGATE_KEY" -H "Content-Type: application/json" \\
  -d '{{"taskId": "mj_3f9c...", "customId": "MJ::JOB::upsample::1::..."}}'   # a button's customId
curl -o lighthouse.png {site}/mj/image/mj_3f9c... -H "mj-api-secret: $TOLLGATE_KEY\""""


VIDEO_PYTHON = """import os, time
from openai import OpenAI

client = OpenAI(api_key=os.environ["TOLLGATE_KEY"], base_url="{api_base}")
video = client.videos.create(model="sora-2", prompt="a lighthouse at dawn", seconds="8", size="1280x720")
while video.status in ("queued", "in_progress"):
    time.sleep(5)
    video = client.videos.retrieve(video.id)
if video.status == "completed":
    client.videos.download_content(video.id).write_to_file("lighthouse.mp4")
else:
    print(video.error.message)  # a failed video costs nothing"""

VIDEO_CURL = """curl {api_base}/videos -H "Authorization: Bearer $TOLLGATE_KEY" -H "Content-Type: application/json" \\
  -d '{{"model": "sora-2", "prompt": "a lighthouse at dawn", "seconds": "8", "size": "1280x720"}}'
curl {api_base}/videos/video_... -H "Authorization: Bearer $TOLLGATE_KEY"
curl -o lighthouse.mp4 {api_base}/videos/video_.../content -H "Authorization: Bearer $TOLLGATE_KEY" """

REALTIME_PYTHON = """import asyncio, json, os
import websockets  # pip install websockets

async def main():
    url = "{ws_base}/realtime?model=gpt-realtime"
    headers = {{"Authorization": "Bearer " + os.environ["TOLLGATE_KEY"]}}
    async with websockets.connect(url, additional_headers=headers) as ws:
        await ws.send(json.dumps({{"type": "session.update",
                                  "session": {{"type": "realtime", "output_modalities": ["text"]}}}}))
        await ws.send(json.dumps({{"type": "conversation.item.create", "item": {{
            "type": "message", "role": "user", "content": [{{"type": "input_text", "text": "Hello!"}}]}}}}))
        await ws.send(json.dumps({{"type": "response.create"}}))
        async for message in ws:
            event = json.loads(message)
            if event["type"] == "response.output_text.delta":
                print(event["delta"], end="", flush=True)
            elif event["type"] in ("response.done", "error"):
                print(event.get("response", {{}}).get("usage") or event)  # each response.done is billed
                break

asyncio.run(main())"""

REALTIME_BROWSER = """// A browser cannot set headers: the key goes in a subprotocol (a key meant for the browser).
const ws = new WebSocket("{ws_base}/realtime?model=gpt-realtime",
                         ["realtime", "openai-insecure-api-key." + key]);
ws.onopen = () => ws.send(JSON.stringify({{type: "response.create"}}));
ws.onmessage = (message) => console.log(JSON.parse(message.data).type);"""

TASKS_CURL = """# An image task (a model the operator marked async): answered at once, then followed.
curl {api_base}/images/generations -H "Authorization: Bearer $TOLLGATE_KEY" \\
  -H "Content-Type: application/json" -d '{{"model": "qwen-image", "prompt": "a lighthouse", "n": 1}}'
curl {api_base}/images/tasks/imgtask_... -H "Authorization: Bearer $TOLLGATE_KEY"

# Suno, as new-api serves it (at the site's root)
curl {site}/suno/submit/music -H "Authorization: Bearer $TOLLGATE_KEY" \\
  -H "Content-Type: application/json" -d '{{"prompt": "a sea shanty", "tags": "folk", "mv": "chirp-v3-5"}}'
curl {site}/suno/fetch/suno_... -H "Authorization: Bearer $TOLLGATE_KEY"
"""

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
    values = {"site": site, "api_base": api_base, "endpoint": endpoint, "model": model,
              "ws_base": "ws" + api_base[4:] if api_base.startswith("http") else api_base}
    return {"samples": {name: code.format(**values) for name, code in SAMPLES.items()},
            "stream": STREAM.format(**values), "claude_code": CLAUDE_CODE.format(**values),
            "codex": CODEX.format(**values), "agents": AGENTS.format(**values),
            "gemini_cli": GEMINI_CLI.format(**values), "genai": GENAI.format(**values),
            "media_python": MEDIA_PYTHON.format(**values), "media_curl": MEDIA_CURL.format(**values),
            "video_python": VIDEO_PYTHON.format(**values), "video_curl": VIDEO_CURL.format(**values).rstrip(),
            "realtime_python": REALTIME_PYTHON.format(**values),
            "realtime_browser": REALTIME_BROWSER.format(**values), "mj_curl": MJ_CURL.format(**values),
            "tasks_curl": TASKS_CURL.format(**values).rstrip(), "video_tasks_curl": VIDEO_TASKS_CURL.format(**values)}
