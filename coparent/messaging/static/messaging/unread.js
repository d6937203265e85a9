// The unread-messages count in the family navigation, for pages that do not render it
// themselves (the message pages do). Progressive enhancement: without it the link still works.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const badge = document.getElementById("unread-count");
  if (!badge || !window.fetch) return;
  fetch(badge.dataset.unreadUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((reply) => (reply.ok ? reply.json() : null))
    .then((data) => {
      if (!data || !data.unread) return;
      badge.querySelector("[data-unread-number]").textContent = String(data.unread);
      badge.hidden = false;
    })
    .catch(() => {});
});
