// Progressive enhancement of the report form. Without JavaScript the resident types the
// coordinates and picks from the native select; with it, tapping the map (made a Leaflet
// map by map.js, which runs first) puts a pin and fills the coordinates, "use my location"
// appears, the category list can be filtered, and the error summary takes the focus.
(function () {
  "use strict";

  function field(name) {
    return document.querySelector('#report-place-form [name="' + name + '"]');
  }

  function enhancePin() {
    var host = document.getElementById("report-map");
    var lat = field("lat");
    var lng = field("lng");
    var status = document.getElementById("locate-status");
    if (!lat || !lng) { return; }
    var map = host && host.ourbeatMap;
    var marker = null;

    function pin(latitude, longitude, message) {
      lat.value = latitude.toFixed(6);
      lng.value = longitude.toFixed(6);
      if (map && typeof L !== "undefined") {
        if (marker) { marker.setLatLng([latitude, longitude]); }
        else { marker = L.marker([latitude, longitude], { keyboard: false }).addTo(map); }
      }
      if (status && message) { status.textContent = message; }
    }

    var button = document.getElementById("use-my-location");
    if (map) {
      host.classList.add("click-to-locate");
      map.on("click", function (event) {
        pin(event.latlng.lat, event.latlng.lng, button && button.dataset.pinned);
      });
      if (lat.value && lng.value && !isNaN(parseFloat(lat.value)) && !isNaN(parseFloat(lng.value))) {
        pin(parseFloat(lat.value), parseFloat(lng.value), "");
      }
      function follow() {
        var a = parseFloat(lat.value);
        var b = parseFloat(lng.value);
        if (!isNaN(a) && !isNaN(b)) { pin(a, b, ""); }
      }
      lat.addEventListener("change", follow);
      lng.addEventListener("change", follow);
    }
    if (!button || !("geolocation" in navigator)) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.finding || "…";
      navigator.geolocation.getCurrentPosition(function (position) {
        pin(position.coords.latitude, position.coords.longitude, button.dataset.found);
        if (map) { map.setView([position.coords.latitude, position.coords.longitude], Math.max(map.getZoom(), 15)); }
      }, function (error) {
        status.textContent = error.message;
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  function enhanceCategorySearch() {
    var host = document.getElementById("category-search-host");
    var search = document.getElementById("category-search");
    var select = document.getElementById("id_category");
    if (!host || !search || !select) { return; }
    host.hidden = false;
    search.addEventListener("input", function () {
      var words = search.value.trim().toLowerCase();
      var groups = select.querySelectorAll("optgroup");
      select.querySelectorAll("option").forEach(function (option) {
        if (!option.value) { return; }
        var text = (option.textContent + " " + (option.dataset.keywords || "") + " " +
          (option.parentElement.label || "")).toLowerCase();
        var match = !words || text.indexOf(words) !== -1;
        option.hidden = !match;
        option.disabled = !match;
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      var visible = select.querySelectorAll("option:not([hidden])");
      if (visible.length === 2 && !select.value) { select.value = visible[1].value; }
    });
  }

  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhancePin();
    enhanceCategorySearch();
    focusErrors();
  });
})();
