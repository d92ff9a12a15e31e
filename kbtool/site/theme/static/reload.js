// kbtool serve: reload the page when the site has been rebuilt.
(() => {
  const root = document.body.dataset.root || "./";
  const events = new EventSource(new URL(root + "__kbtool/events", location.href));
  events.addEventListener("reload", () => location.reload());
})();
