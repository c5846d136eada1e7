// Dashboard playground: pick a key and a model, chat, and read each streamed
// answer's tokens and credits. The page posts to /dashboard/playground/chat
// (session cookie + CSRF header); the server relays on behalf of the key and
// streams OpenAI chat chunks (SSE), the last one with usage.credits.
// Text is only ever set with textContent. Every label comes translated from
// the form's data- attributes.
(function () {
  "use strict";
  var form = document.getElementById("playground");
  if (!form) return;
  var keySelect = document.getElementById("pg-key");
  var modelSelect = document.getElementById("pg-model");
  var log = document.getElementById("pg-log");
  var input = document.getElementById("pg-input");
  var send = document.getElementById("pg-send");
  var clear = document.getElementById("pg-clear");
  var errorBox = document.getElementById("pg-error");
  var text = form.dataset;
  var tokenTag = document.querySelector('meta[name="csrf-token"]');
  var csrf = tokenTag ? tokenTag.getAttribute("content") : "";
  var history = [];
  var busy = false;

  function showError(message, detail) {
    errorBox.textContent = message || "";
    errorBox.title = detail || "";
    errorBox.hidden = !message;
  }

  function fillModels() {
    var option = keySelect.options[keySelect.selectedIndex];
    var models = [];
    try { models = JSON.parse(option.getAttribute("data-models") || "[]"); } catch (e) { models = []; }
    var keep = modelSelect.value;
    modelSelect.textContent = "";
    models.forEach(function (id) {
      var item = document.createElement("option");
      item.value = id;
      item.textContent = id;
      modelSelect.appendChild(item);
    });
    if (models.indexOf(keep) >= 0) modelSelect.value = keep;
    send.disabled = busy || !models.length;
    showError(models.length ? "" : text.noModel);
  }

  function bubble(role, content) {
    var item = document.createElement("div");
    item.className = "pg-msg " + role;
    var who = document.createElement("div");
    who.className = "pg-who";
    who.textContent = role === "user" ? text.you : text.assistant;
    var body = document.createElement("div");
    body.className = "pg-text";
    body.textContent = content;
    item.appendChild(who);
    item.appendChild(body);
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }

  function grouped(n) {
    return Number(n || 0).toLocaleString("en-US");
  }

  function showUsage(item, usage) {
    var line = document.createElement("div");
    line.className = "pg-usage muted";
    line.setAttribute("data-prompt", String(usage.prompt_tokens || 0));
    line.setAttribute("data-completion", String(usage.completion_tokens || 0));
    line.setAttribute("data-credits", String(usage.credits || 0));
    var values = { prompt: grouped(usage.prompt_tokens), completion: grouped(usage.completion_tokens),
                   credits: grouped(usage.credits) };
    line.textContent = text.usage.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    }) + (usage.estimated ? " " + text.estimated : "");
    item.appendChild(line);
  }

  function failed(item, message, detail) {
    var note = document.createElement("div");
    note.className = "pg-failed alert error";
    note.textContent = message;
    if (detail) note.title = detail;
    item.appendChild(note);
  }

  async function refusal(response) {
    try {
      var body = await response.json();
      if (body && body.error) return body.error;
    } catch (e) { /* not JSON: a CSRF refusal, a sign-in redirect... */ }
    return { message: text.failed, detail: "HTTP " + response.status };
  }

  async function ask(content) {
    var messages = history.concat([{ role: "user", content: content }]);
    bubble("user", content);
    var answer = bubble("assistant", "");
    var out = answer.querySelector(".pg-text");
    out.textContent = text.waiting;
    answer.classList.add("waiting");
    var response;
    try {
      response = await fetch(form.getAttribute("action"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "text/event-stream", "X-CSRFToken": csrf },
        body: JSON.stringify({ key_id: keySelect.value, model: modelSelect.value, messages: messages })
      });
    } catch (e) {
      out.textContent = "";
      failed(answer, text.failed, String(e));
      return;
    }
    if (!response.ok || !response.body) {
      var error = await refusal(response);
      out.textContent = "";
      failed(answer, error.message || text.failed, error.detail);
      showError(error.message || text.failed, error.detail);
      return;
    }
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "", reply = "", usage = null, broken = null, started = false;

    function handle(block) {
      var data = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (!data.length) return;
      var payload = data.join("\n");
      if (payload === "[DONE]") return;
      var chunk;
      try { chunk = JSON.parse(payload); } catch (e) { return; }
      if (chunk.error) { broken = chunk.error; return; }
      if (chunk.usage) usage = chunk.usage;
      var choice = chunk.choices && chunk.choices[0];
      var piece = choice && choice.delta && choice.delta.content;
      if (piece) {
        if (!started) { started = true; out.textContent = ""; answer.classList.remove("waiting"); }
        reply += piece;
        out.textContent = reply;
      }
    }

    try {
      for (;;) {
        var step = await reader.read();
        if (step.done) break;
        buffer += decoder.decode(step.value, { stream: true }).replace(/\r\n?/g, "\n");
        var end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          handle(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
      if (buffer.trim()) handle(buffer);
    } catch (e) {
      broken = broken || { message: String(e) };
    }
    answer.classList.remove("waiting");
    if (!started) out.textContent = "";
    if (usage) showUsage(answer, usage);
    if (broken) {
      failed(answer, text.cut, broken.message);
      return;
    }
    history = messages.concat([{ role: "assistant", content: reply }]);
    answer.classList.add("done");
  }

  keySelect.addEventListener("change", fillModels);
  clear.addEventListener("click", function () {
    history = [];
    log.textContent = "";
    showError("");
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else send.click();
    }
  });
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var content = input.value;
    if (busy || !content.trim() || !modelSelect.value) return;
    busy = true;
    send.disabled = true;
    showError("");
    input.value = "";
    try {
      await ask(content);
    } finally {
      busy = false;
      send.disabled = !modelSelect.value;
      input.focus();
    }
  });
  fillModels();
})();
