/* The report form's map: progressive enhancement of reports/intake/new.html.
 *
 * Without JavaScript the form asks for an area and an address. With it, this script shows a
 * Leaflet map of the jurisdiction's areas (from /api/v1/jurisdictions/<slug>/areas, GeoJSON);
 * a click or tap places a pin and fills the hidden lon/lat inputs, and the open reports of the
 * same category near the pin are listed, each with a "me too" link. No map tiles are fetched
 * unless the site configured a tile server (CIVICLOOP_MAP_TILES_URL): nothing leaves for a
 * third party by default. Plain ES5, for old phone browsers.
 */
(function () {
  "use strict";

  // A form shown again with problems: take the reader to their list first.
  var summary = document.getElementById("error-summary");
  if (summary && summary.focus) {
    summary.focus();
  }

  var configNode = document.getElementById("report-map-config");
  var mapNode = document.getElementById("report-map");
  var lonInput = document.getElementById("id_lon");
  var latInput = document.getElementById("id_lat");
  if (!configNode || !mapNode || !lonInput || !latInput || !window.L || !window.fetch || !window.JSON) {
    return;
  }
  var L = window.L;
  var config = JSON.parse(configNode.textContent);
  var text = config.text;
  var statusNode = document.getElementById("report-map-status");
  var nearbyNode = document.getElementById("report-nearby");
  var checkedInput = document.getElementById("id_duplicates_checked");
  var marker = null;
  var nearbyRequest = 0;

  function say(message) {
    if (statusNode) {
      statusNode.textContent = message;
      statusNode.hidden = !message;
    }
  }

  function element(tag, content, className) {
    var node = document.createElement(tag);
    if (content) {
      node.textContent = content;
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function clearNearby() {
    nearbyRequest += 1;
    if (nearbyNode) {
      while (nearbyNode.firstChild) {
        nearbyNode.removeChild(nearbyNode.firstChild);
      }
    }
    if (checkedInput) {
      checkedInput.value = "";
    }
  }

  function showNearby(reports) {
    if (!nearbyNode) {
      return;
    }
    if (!reports.length) {
      nearbyNode.appendChild(element("p", text.nearbyNone, "muted"));
      return;
    }
    var box = element("div", "", "intake-nearby panel");
    box.appendChild(element("h2", text.nearbyTitle));
    box.appendChild(element("p", text.nearbyIntro));
    var list = element("ul");
    reports.forEach(function (report) {
      var item = element("li");
      var title = element("strong", report.title);
      item.appendChild(title);
      item.appendChild(document.createTextNode(" — " + text.metres.replace("%(distance)s", report.distance_m) + " · " + report.status_label + " "));
      var link = element("a", text.meToo + " (" + report.reference + ")");
      link.href = report.support_url;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(list);
    nearbyNode.appendChild(box);
  }

  function fetchNearby(lon, lat) {
    clearNearby();
    var request = nearbyRequest;
    var url = config.nearbyUrl + "?category=" + encodeURIComponent(config.category) +
      "&lon=" + encodeURIComponent(lon) + "&lat=" + encodeURIComponent(lat);
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        if (request !== nearbyRequest) {
          return; // the pin moved again meanwhile
        }
        showNearby(data.reports || []);
        // The citizen has seen what is nearby: the server need not ask again after posting.
        if (checkedInput) {
          checkedInput.value = "True";
        }
      })
      .catch(function () {
        // Without the list the server shows the nearby reports itself before filing.
      });
  }

  function place(latlng, quiet) {
    var lat = Math.round(latlng.lat * 1e6) / 1e6;
    var lon = Math.round(L.Util.wrapNum(latlng.lng, [-180, 180], true) * 1e6) / 1e6;
    lonInput.value = String(lon);
    latInput.value = String(lat);
    if (marker) {
      marker.setLatLng([lat, lon]);
    } else {
      marker = L.marker([lat, lon], { keyboard: false, alt: text.placed }).addTo(map);
    }
    removeButton.hidden = false;
    if (!quiet) {
      say(text.placed);
    }
    fetchNearby(lon, lat);
  }

  function removePin() {
    if (marker) {
      map.removeLayer(marker);
      marker = null;
    }
    lonInput.value = "";
    latInput.value = "";
    removeButton.hidden = true;
    clearNearby();
    say("");
  }

  mapNode.hidden = false;
  mapNode.setAttribute("aria-label", text.map);
  Array.prototype.forEach.call(document.querySelectorAll(".intake-map-only"), function (node) {
    node.hidden = false;
  });

  var map = L.map(mapNode, { attributionControl: Boolean(config.tilesUrl), zoomSnap: 0.5 });
  if (config.tilesUrl) {
    L.tileLayer(config.tilesUrl, { attribution: config.tilesAttribution, maxZoom: 19 }).addTo(map);
  }
  map.setView([0, 0], 1);

  var removeButton = element("button", text.remove, "secondary button-small");
  removeButton.type = "button";
  removeButton.hidden = true;
  removeButton.addEventListener("click", removePin);
  mapNode.parentNode.insertBefore(removeButton, mapNode.nextSibling);

  map.on("click", function (event) {
    place(event.latlng, false);
  });
  // Keyboard: the arrows pan (Leaflet), Enter places the pin at the centre of the map.
  mapNode.addEventListener("keydown", function (event) {
    if ((event.key === "Enter" || event.keyCode === 13) && event.target === mapNode) {
      event.preventDefault();
      place(map.getCenter(), false);
    }
  });

  window.fetch(config.areasUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    })
    .then(function (collection) {
      var areas = L.geoJSON(collection, {
        interactive: false,
        style: { color: "#0b3d62", weight: 2, opacity: 0.8, fillColor: "#0a55a0", fillOpacity: 0.06 }
      }).addTo(map);
      var bounds = areas.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [8, 8] });
      }
      var lon = parseFloat(lonInput.value);
      var lat = parseFloat(latInput.value);
      if (isFinite(lon) && isFinite(lat)) {
        place(L.latLng(lat, lon), true); // a form shown again keeps its pin
      }
    })
    .catch(function () {
      mapNode.hidden = true;
      say(text.failed);
    });
})();
