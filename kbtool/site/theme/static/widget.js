/* kbtool in-product help widget. Embed on a product page:
 *   <div data-kbtool-widget="account/security" data-locale="en"></div>
 *   <script src="https://help.example.com/_static/widget.js" defer></script>
 * Optional attributes: data-title (heading), data-limit (default 5),
 * data-site (help-center URL; default: where this script comes from).
 * No dependencies, no cookies; the list is built with DOM methods only. */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script && script.src ? new URL("../", script.src).href : location.origin + "/";

  function pick(locales, wanted, fallback) {
    var keys = Object.keys(locales);
    var lower = (wanted || "").toLowerCase();
    for (var i = 0; i < keys.length; i++) if (keys[i].toLowerCase() === lower) return keys[i];
    var lang = lower.split("-")[0];
    for (var j = 0; j < keys.length; j++) if (keys[j].toLowerCase().split("-")[0] === lang) return keys[j];
    return locales[fallback] ? fallback : keys[0];
  }

  function render(el) {
    var area = el.getAttribute("data-kbtool-widget") || "";
    var site = el.getAttribute("data-site") ? new URL(el.getAttribute("data-site"), location.href).href : base;
    var file = area.split("/").map(encodeURIComponent).join("/");
    fetch(new URL("widgets/" + file + ".json", site).href)
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (data) {
        var locale = pick(data.locales, el.getAttribute("data-locale") || document.documentElement.lang, data.default_locale);
        var items = (data.locales[locale] || []).slice(0, Number(el.getAttribute("data-limit")) || 5);
        var nav = document.createElement("nav");
        nav.className = "kbtool-widget";
        var heading = document.createElement("h2");
        heading.textContent = el.getAttribute("data-title") || data.title || "Help";
        nav.setAttribute("aria-label", heading.textContent);
        var ul = document.createElement("ul");
        items.forEach(function (item) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = new URL(item.url, site).href;
          a.textContent = item.title;
          li.appendChild(a);
          ul.appendChild(li);
        });
        nav.appendChild(heading);
        nav.appendChild(ul);
        el.replaceChildren(nav);
      })
      .catch(function () { el.hidden = true; });
  }

  function start() {
    var nodes = document.querySelectorAll("[data-kbtool-widget]");
    for (var i = 0; i < nodes.length; i++) render(nodes[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
