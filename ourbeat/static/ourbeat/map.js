// Progressive enhancement: with JavaScript, the SVG map becomes a Leaflet map (click to
// find the neighbourhood at that point) and "use my location" appears. Without it, the SVG
// shapes are plain links and the coordinates form still works.
(function () {
  "use strict";

  function enhanceMap(host) {
    if (typeof L === "undefined") { return; }
    var configEl = document.getElementById(host.dataset.configId);
    if (!configEl) { return; }
    var config = JSON.parse(configEl.textContent);
    var fallback = document.querySelector('[data-map-fallback="' + host.id + '"]');
    if (fallback && fallback.viewBox && fallback.viewBox.baseVal && fallback.viewBox.baseVal.height) {
      // Give the map the town's own proportions, so it fits snugly on any screen.
      var box = fallback.viewBox.baseVal;
      host.style.aspectRatio = String(Math.min(Math.max(box.width / box.height, 0.75), 2));
    }
    host.hidden = false;
    if (fallback) { fallback.setAttribute("hidden", ""); fallback.style.display = "none"; }
    var map = L.map(host, { scrollWheelZoom: false, zoomSnap: 0.25 });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
    }
    var layer = L.geoJSON({ type: "FeatureCollection", features: config.features }, {
      style: { color: "#083a66", weight: 2, fillColor: "#0b4f8a", fillOpacity: 0.12 },
      onEachFeature: function (feature, featureLayer) {
        featureLayer.bindTooltip(feature.properties.name);
      }
    }).addTo(map);
    if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { padding: [12, 12] }); }
    if (config.clickToLocate) {
      host.classList.add("click-to-locate");
      map.on("click", function (event) {
        var url = new URL(host.dataset.locateUrl, window.location.href);
        url.searchParams.set("lat", event.latlng.lat.toFixed(6));
        url.searchParams.set("lng", event.latlng.lng.toFixed(6));
        window.location.assign(url.toString());
      });
    }
    host.ourbeatMap = map;
  }

  function enhanceLocate() {
    var button = document.getElementById("use-my-location");
    var form = document.getElementById("locate-form");
    if (!button || !form || !("geolocation" in navigator)) { return; }
    var status = document.getElementById("locate-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.finding || "…";
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector('[name="lat"]').value = position.coords.latitude.toFixed(6);
        form.querySelector('[name="lng"]').value = position.coords.longitude.toFixed(6);
        form.submit();
      }, function (error) {
        status.textContent = error.message;
      }, { enableHighAccuracy: false, timeout: 15000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map]").forEach(enhanceMap);
    enhanceLocate();
  });
})();
