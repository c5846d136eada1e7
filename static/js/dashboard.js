// Dashboard: ask before revoking or deleting a key. The forms work without
// this file (no inline script: the page's CSP allows only this site's files).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
