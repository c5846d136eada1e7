// Copy buttons, and the order page's payment poller. No framework: the
// pages work without this file, it only saves clicks.
(function () {
  "use strict";

  function copyText(text, button) {
    function done(ok) {
      var label = button.getAttribute("data-label") || button.textContent;
      button.setAttribute("data-label", label);
      button.textContent = ok ? "✓" : "✗";
      setTimeout(function () { button.textContent = label; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback(text)); });
    } else {
      done(fallback(text));
    }
  }

  // Plain-http sites (a LAN install) have no async clipboard API.
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (!button) return;
    var text = button.getAttribute("data-copy");
    if (text === null && button.hasAttribute("data-copy-next")) {
      var code = button.parentNode.querySelector("pre code");
      text = code ? code.textContent : "";
    }
    copyText(text || "", button);
  });

  var pay = document.querySelector("[data-poll]");
  if (pay) {
    var body = JSON.stringify({ orderNo: pay.getAttribute("data-order"), contactEmail: pay.getAttribute("data-email") });
    var poll = function () {
      fetch(pay.getAttribute("data-poll"), {
        method: "POST", headers: { "Content-Type": "application/json" }, body: body, credentials: "omit"
      }).then(function (r) { return r.json(); }).then(function (reply) {
        if (reply.ok && reply.data.status !== "PENDING") {
          window.location.reload();
        } else {
          setTimeout(poll, 2500);
        }
      }, function () { setTimeout(poll, 5000); });
    };
    setTimeout(poll, 2500);
  }
})();
