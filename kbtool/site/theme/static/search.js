// Help-center search in the browser: Pagefind's index of this page's language.
// No server, no external request; results are built with DOM methods, never innerHTML.
const form = document.querySelector("[data-search]");
if (form) {
  const root = document.body.dataset.root || "./";
  const input = form.querySelector("input[name=q]");
  const status = form.querySelector("[role=status]");
  const list = form.querySelector("[data-results]");
  const selects = Array.from(form.querySelectorAll("select"));
  let pagefind = null;
  let seq = 0;

  const load = async () => {
    if (!pagefind) {
      pagefind = await import(new URL(root + "pagefind/pagefind.js", location.href).href);
      await pagefind.options({ baseUrl: new URL(root, location.href).pathname });
      await pagefind.init();
    }
    return pagefind;
  };

  const excerpt = (html) => {
    const p = document.createElement("p");
    const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
    for (const node of doc.body.firstChild.childNodes) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.append(mark);
      } else {
        p.append(document.createTextNode(node.textContent));
      }
    }
    return p;
  };

  const item = (data) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = data.url;
    a.textContent = (data.meta && data.meta.title) || data.url;
    li.append(a, excerpt(data.excerpt || ""));
    return li;
  };

  const run = async () => {
    const query = input.value.trim();
    const filters = {};
    for (const select of selects) if (select.value) filters[select.name] = select.value;
    const id = ++seq;
    if (query.length < 2 && !Object.keys(filters).length) {
      list.replaceChildren();
      status.textContent = query ? status.dataset.hint : "";
      return;
    }
    try {
      const pf = await load();
      const search = await pf.debouncedSearch(query || null, { filters }, 120);
      if (search === null || id !== seq) return;
      const results = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
      if (id !== seq) return;
      list.replaceChildren(...results.map(item));
      status.textContent = results.length
        ? status.dataset.count.replace("{count}", String(search.results.length))
        : status.dataset.none;
    } catch (error) {
      status.textContent = status.dataset.error;
    }
  };

  const params = new URLSearchParams(location.search);
  if (params.get("q")) input.value = params.get("q");
  for (const select of selects) if (params.get(select.name)) select.value = params.get(select.name);
  input.addEventListener("input", run);
  for (const select of selects) select.addEventListener("change", run);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (input.value.trim()) next.set("q", input.value.trim());
    for (const select of selects) if (select.value) next.set(select.name, select.value);
    if (form.querySelector(".filters")) history.replaceState(null, "", "?" + next.toString());
    run();
  });
  if (input.value || selects.some((s) => s.value)) run();
}
