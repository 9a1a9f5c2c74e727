// Progressive enhancement of the public concern list: with JavaScript, a Leaflet map shows
// the listed concerns by public H3 cell (the centre of an area of a few streets, never the
// exact place; sensitive categories are not in the data at all). Without it, the list and
// its filters are the whole page.
(function () {
  "use strict";

  function radius(count) {
    return Math.min(6 + 4 * Math.sqrt(count), 30);
  }

  function enhance(host) {
    if (typeof L === "undefined" || !window.fetch) { return; }
    var configEl = document.getElementById(host.dataset.configId);
    if (!configEl) { return; }
    var config = JSON.parse(configEl.textContent);
    var section = document.getElementById("browse-map-section");
    if (section) { section.hidden = false; }
    var map = L.map(host, { scrollWheelZoom: false, zoomSnap: 0.25 });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
    }
    map.setView([0, 0], 2);
    host.ourbeatMap = map;
    fetch(config.dataUrl, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, {
              radius: radius(feature.properties.count),
              color: "#083a66",
              weight: 2,
              fillColor: "#0b4f8a",
              fillOpacity: 0.45,
              className: "concern-cell"
            });
          },
          onEachFeature: function (feature, featureLayer) {
            var count = feature.properties.count;
            var label = count === 1 ? host.dataset.labelOne : host.dataset.labelMany;
            featureLayer.bindTooltip(count + " " + label);
          }
        }).addTo(map);
        host.dataset.cells = String(data.features.length);
        if (layer.getBounds().isValid()) {
          map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 16 });
        }
      })
      .catch(function () {
        if (section) { section.hidden = true; }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-concerns-map]").forEach(enhance);
  });
})();
