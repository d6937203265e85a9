// The plan editor's live preview: after a pause in typing, the form is posted to the preview
// endpoint, which answers with the _preview.html fragment. While it is on its way the preview
// says so (aria-busy and a progress bar). "See the preview" refreshes it at once and brings it
// into view (one tap on a phone); without this script the same button submits the form and the
// page comes back at the preview. A new country reloads the page with its list of holidays.
(function () {
  "use strict";
  var form = document.getElementById("plan-form");
  var section = document.getElementById("plan-preview");
  if (!form || !section || !window.fetch) { return; }
  var body = section.querySelector(".preview-body");
  var loading = section.querySelector("[data-preview-loading]");
  var now = form.querySelector("[data-preview-now]");
  var holidays = form.querySelector("[data-show-holidays]");
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var latest = 0;

  function busy(on) {
    section.setAttribute("aria-busy", on ? "true" : "false");
    if (loading) { loading.hidden = !on; }
  }

  function refresh() {
    var ticket = ++latest;
    window.clearTimeout(timer);
    busy(true);
    var data = new FormData(form);
    data.set("action", "preview");
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                        headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // An older answer arriving after a newer one is dropped.
        if (ticket !== latest) { return; }
        if (html !== null) { body.innerHTML = html; }
        busy(false);
      })
      .catch(function () { if (ticket === latest) { busy(false); } });
  }

  function later(event) {
    var name = event.target && event.target.name;
    if ((name === "country" || name === "subdivision") && holidays && event.type === "change") {
      holidays.click();  // the page comes back with that country's holidays to choose from
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  if (now) {
    now.addEventListener("click", function (event) {
      event.preventDefault();
      refresh();
      section.scrollIntoView({ block: "start" });
      var title = document.getElementById("preview-title");
      if (title) { title.setAttribute("tabindex", "-1"); title.focus({ preventScroll: true }); }
    });
  }
})();
