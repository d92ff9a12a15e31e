// The answer bot of the contact form: while the customer types the subject,
// suggest the three articles that match it best, from a static index the site
// build writes (no server). Then submit to the configured target or by email.
(() => {
  const form = document.querySelector("[data-contact]");
  if (!form) return;
  const subject = form.querySelector("#subject");
  const box = form.querySelector("[data-suggest]");
  const list = box.querySelector("[data-suggestions]");
  const root = document.body.dataset.root || "./";
  let articles = null;
  let loading = null;

  // Words; CJK runs become overlapping character pairs (and single characters).
  const tokens = (text) => {
    const out = [];
    const words = (text || "").normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
    for (const word of words) {
      if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(word)) {
        const chars = Array.from(word);
        for (let i = 0; i < chars.length; i++) {
          out.push(chars[i]);
          if (i + 1 < chars.length) out.push(chars[i] + chars[i + 1]);
        }
      } else if (word.length > 1) {
        out.push(word);
      }
    }
    return out;
  };

  const prepare = (a) => ({
    ...a,
    title_t: new Set(tokens(a.title)),
    label_t: new Set(tokens((a.labels || []).join(" "))),
    text_t: new Set(tokens(a.description)),
  });

  const load = () => {
    if (!loading) {
      loading = fetch(form.dataset.index)
        .then((r) => r.json())
        .then((data) => { articles = data.articles.map(prepare); });
    }
    return loading;
  };

  const has = (set, token, prefix) => {
    if (set.has(token)) return true;
    if (!prefix || token.length < 3) return false;
    for (const t of set) if (t.startsWith(token)) return true;
    return false;
  };

  const score = (article, query) => {
    let total = 0;
    query.forEach((token, i) => {
      const prefix = i === query.length - 1;
      const weight = token.length === 1 ? 0.3 : 1;
      if (has(article.title_t, token, prefix)) total += 3 * weight;
      if (has(article.label_t, token, prefix)) total += 2.5 * weight;
      if (has(article.text_t, token, prefix)) total += 1 * weight;
    });
    return total;
  };

  let timer = 0;
  const suggest = async () => {
    const query = tokens(subject.value);
    if (!query.length) { box.hidden = true; return; }
    await load();
    const ranked = articles
      .map((a) => [score(a, query), a])
      .filter(([s]) => s >= 2)
      .sort((x, y) => y[0] - x[0])
      .slice(0, 3);
    list.replaceChildren(...ranked.map(([, a]) => {
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.href = root + a.url;
      link.textContent = a.title;
      li.append(link);
      if (a.description) {
        const p = document.createElement("p");
        p.textContent = a.description;
        li.append(p);
      }
      return li;
    }));
    box.hidden = ranked.length === 0;
  };

  subject.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 120);
  });
  subject.addEventListener("focus", load, { once: true });

  form.addEventListener("submit", (event) => {
    const to = form.dataset.mailto;
    if (!to || form.getAttribute("enctype") !== "text/plain") return;
    event.preventDefault();
    const body = `${form.message.value}\n\n${form.email.value}`;
    location.href = `mailto:${to}?subject=${encodeURIComponent(form.subject.value)}` +
      `&body=${encodeURIComponent(body)}`;
  });
})();
