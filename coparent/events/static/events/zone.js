// The first event of a family: preselect the browser's own time zone when the list offers it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const select = document.querySelector("select[data-guess-zone]");
  if (!select || !window.Intl) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && Array.from(select.options).some((option) => option.value === zone)) {
    select.value = zone;
  }
});
