// One tap at an exchange. With "share my location" ticked, the phone is asked for its position
// for this tap only; without an answer within ten seconds (or if the person says no) the tap
// is sent without it, so checking in never depends on the location.
(function () {
  "use strict";
  var box = document.querySelector("[data-share-location]");
  var pin = document.querySelector("[data-pin-place]");
  if (pin && box) {
    // Marking the place needs the position: ticking it ticks the sharing too.
    pin.addEventListener("change", function () {
      if (pin.checked) { box.checked = true; }
    });
  }
  document.querySelectorAll("form[data-check-in]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (pin && pin.checked) { form.elements.pin_place.value = "1"; }
      if (!box || !box.checked || !navigator.geolocation || form.dataset.located) {
        return;
      }
      event.preventDefault();
      var button = form.querySelector("button");
      if (button) { button.disabled = true; }
      var send = function () {
        form.dataset.located = "1";
        form.submit();
      };
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.latitude.value = position.coords.latitude;
          form.elements.longitude.value = position.coords.longitude;
          send();
        },
        function () {
          // No position: the tap goes without it, and without marking the place.
          form.elements.pin_place.value = "";
          send();
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 }
      );
    });
  });
})();
