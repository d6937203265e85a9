// One tap at an exchange. With "share my location" ticked, the phone is asked for its position
// for this tap only; without an answer within ten seconds (or if the person says no) the tap
// is sent without it, so checking in never depends on the location.
(function () {
  "use strict";
  var box = document.querySelector("[data-share-location]");
  document.querySelectorAll("form[data-check-in]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
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
        send,
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 }
      );
    });
  });
})();
