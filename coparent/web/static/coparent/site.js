// Coparent's own small script: progressive enhancement only; every page works without it.
"use strict";
// The installable app: the service worker (its address is on this script's tag) caches the
// shell, shows the offline page and receives web push. Browsers without it just browse.
const serviceWorkerUrl = document.currentScript && document.currentScript.dataset.serviceWorker;
if (serviceWorkerUrl && "serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register(serviceWorkerUrl, { scope: "/" }).catch(() => {});
  });
}
document.addEventListener("DOMContentLoaded", () => {
  // Ask before irreversible actions (ending a session, revoking a token, withdrawing consent).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Copy buttons for tokens shown once.
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => {
      const target = document.getElementById(button.dataset.copy);
      if (target && navigator.clipboard) {
        navigator.clipboard.writeText(target.textContent.trim());
        button.textContent = button.dataset.copied || "Copied";
      }
    });
  });
  // A new family space (or any zone list marked so) starts in the browser's own time zone,
  // when the list has it; the server's default stays for a browser that cannot tell.
  document.querySelectorAll("select[data-guess-zone]").forEach((select) => {
    const zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && Array.from(select.options).some((option) => option.value === zone)) {
      select.value = zone;
    }
  });
  // Move focus to the first field with an error, so keyboard and screen-reader users land on it.
  const firstError = document.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (firstError) firstError.focus();
});
