/**
 * GET /script.js — included by a destination site. It moves `dub_id` from the page URL into a first-party
 * cookie on the site's apex domain (90 days, SameSite=Lax) that the site's backend reads and passes to /track/lead as `clickId`.
 * With `data-short-domain` and a `?via=<key>` (or `data-query-param`) in the URL, it asks this server for
 * a click id first. Plain ES5 so it runs in every browser; no dependencies.
 */
export const CLIENT_SCRIPT = `(function () {
  "use strict";
  var MAX_AGE = 60 * 60 * 24 * 90;
  var script = document.currentScript;
  var params = new URLSearchParams(window.location.search);

  function hasCookie(pair) {
    return document.cookie.split("; ").some(function (c) { return c.indexOf(pair) === 0; });
  }

  function hasClickId() {
    return hasCookie("dub_id=");
  }

  // The apex domain (shop.example.co.uk -> .example.co.uk): the shortest parent domain the browser accepts,
  // since browsers refuse cookies on public suffixes such as .co.uk.
  function setClickId(clickId) {
    var pair = "dub_id=" + encodeURIComponent(clickId);
    var cookie = pair + "; max-age=" + MAX_AGE + "; path=/; samesite=lax";
    var host = window.location.hostname;
    if (host !== "localhost" && !/^[0-9.]+$/.test(host) && host.indexOf(":") === -1) {
      var labels = host.split(".");
      for (var i = labels.length - 2; i >= 0; i--) {
        document.cookie = cookie + "; domain=." + labels.slice(i).join(".");
        if (hasCookie(pair)) return;
      }
    }
    document.cookie = cookie;
  }

  var fromUrl = params.get("dub_id");
  if (fromUrl) {
    setClickId(fromUrl);
    return;
  }

  var shortDomain = script && script.getAttribute("data-short-domain");
  var key = params.get((script && script.getAttribute("data-query-param")) || "via");
  if (!shortDomain || !key || hasClickId()) return;

  var api = new URL("/api/track/click", script.src).toString();
  fetch(api, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ domain: shortDomain, key: key, url: window.location.href, referrer: document.referrer })
  })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (body) { if (body && body.clickId) setClickId(body.clickId); })
    .catch(function () {});
})();
`;
