// The plan editor's live preview: after a pause in typing, the form is posted to the preview
// endpoint, which answers with the _preview.html fragment (the "Preview" button does the same
// without this script).
(function () {
  "use strict";
  var form = document.getElementById("plan-form");
  var target = document.getElementById("plan-preview");
  if (!form || !target || !window.fetch) { return; }
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var latest = 0;

  function refresh() {
    var ticket = ++latest;
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                 headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // An older answer arriving after a newer one is dropped.
        if (html !== null && ticket === latest) { target.innerHTML = html; }
      })
      .catch(function () { /* the Preview button still works */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
