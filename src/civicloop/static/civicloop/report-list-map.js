/* The map above the public report list: an enhancement, the list below works without it.
   Draws the jurisdiction's areas and the listed reports; tiles only when the site sets a tile server. */
(function () {
  "use strict";
  var box = document.getElementById("report-map");
  if (!box || typeof window.L === "undefined" || !window.fetch) { return; }
  box.hidden = false;
  var L = window.L;
  var map = L.map(box, { scrollWheelZoom: false, zoomSnap: 0.25 });
  var tiles = box.getAttribute("data-tiles-url");
  if (tiles) {
    L.tileLayer(tiles, { attribution: box.getAttribute("data-tiles-attribution") || "", maxZoom: 19 }).addTo(map);
  }
  map.setView([0, 0], 2);
  var bounds = null;
  function grow(layer) {
    var b = layer.getBounds();
    if (b.isValid()) { bounds = bounds ? bounds.extend(b) : b; map.fitBounds(bounds, { maxZoom: 16, animate: false }); }
  }
  function load(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); });
  }
  load(box.getAttribute("data-areas-url")).then(function (data) {
    var layer = L.geoJSON(data, {
      style: { color: "#0b3d62", weight: 1, fillOpacity: 0.05 },
      onEachFeature: function (feature, item) {
        if (feature.properties && feature.properties.name) { item.bindTooltip(String(feature.properties.name)); }
      }
    }).addTo(map);
    grow(layer);
  }).catch(function () { /* the areas are decoration; the list is still there */ });
  load(box.getAttribute("data-points-url")).then(function (data) {
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 7, color: "#1b1b1b", weight: 2, fillColor: "#ffdd00", fillOpacity: 0.9 });
      },
      onEachFeature: function (feature, item) {
        var p = feature.properties || {};
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.reference + ": " + (p.title || "");
        var status = document.createElement("div");
        status.textContent = p.status_label || "";
        var popup = document.createElement("div");
        popup.appendChild(link);
        popup.appendChild(status);
        item.bindPopup(popup);
      }
    }).addTo(map);
    grow(layer);
  }).catch(function () { box.hidden = true; });
})();
