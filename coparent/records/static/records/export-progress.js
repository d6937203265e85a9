// The export page's progress bar: asks the job's status every second until the export is
// ready or has failed, then shows the download link. Progressive enhancement: without it the
// page's Refresh link does the same by hand.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const panel = document.getElementById("export-job");
  if (!panel || !panel.hasAttribute("data-polling") || !window.fetch) return;
  const bar = document.getElementById("export-progress");
  const status = document.getElementById("export-status");
  const entries = document.getElementById("export-entries");
  const error = document.getElementById("export-error");
  const download = document.getElementById("export-download");
  const refresh = document.getElementById("export-refresh");

  const show = (state) => {
    bar.value = state.progress;
    bar.textContent = `${state.progress} %`;
    if (status.textContent !== state.label) status.textContent = state.label;
    if (state.entries_label) {
      entries.textContent = state.entries_label;
      entries.hidden = false;
    }
    if (state.error) {
      error.textContent = state.error;
      error.hidden = false;
    }
    if (state.download_url) {
      download.href = state.download_url;
      download.hidden = false;
    }
    refresh.hidden = state.finished;
  };

  const poll = () => {
    fetch(panel.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((reply) => (reply.ok ? reply.json() : null))
      .then((state) => {
        // No answer (signed out, access ended): stop, and leave the Refresh link to the person.
        if (!state) return;
        show(state);
        if (!state.finished) window.setTimeout(poll, 1000);
      })
      .catch(() => window.setTimeout(poll, 1000));
  };
  window.setTimeout(poll, 1000);
});
