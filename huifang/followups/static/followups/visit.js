// The visit page: "now" for the visit time, and the device's location for on-site visits. No dependencies.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  document.addEventListener("click", function (event) {
    var now = event.target.closest("[data-now]");
    if (now) {
      var d = new Date();
      document.querySelector(now.getAttribute("data-now")).value =
        d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
      return;
    }
    var locate = event.target.closest("[data-locate]");
    if (locate) {
      var text = document.querySelector("[data-location-text]");
      // Browsers give the location only over HTTPS (or on localhost) and with the user's consent.
      if (!navigator.geolocation) { text.textContent = locate.getAttribute("data-failed"); return; }
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var c = pos.coords;
        document.getElementById("latitude").value = c.latitude.toFixed(6);
        document.getElementById("longitude").value = c.longitude.toFixed(6);
        document.getElementById("location_accuracy_m").value = Math.round(c.accuracy);
        text.textContent = c.latitude.toFixed(6) + ", " + c.longitude.toFixed(6) + " ±" + Math.round(c.accuracy) + " m";
        locate.disabled = false;
      }, function () {
        text.textContent = locate.getAttribute("data-failed");
        locate.disabled = false;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    }
  });
})();
