// The emergency card's print button (no inline script: the page's CSP allows none).
"use strict";
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
