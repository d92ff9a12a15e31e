# ruff: noqa: E501  (the child scripts and table rows read better unwrapped)
"""Time the search index and queries on N articles, with tantivy as the speed reference.

    python benchmarks/search.py                    # 10,000 articles
    python benchmarks/search.py --n 2000 --queries 100

Builds (or reuses) the `make_corpus.py` knowledge base and copies its articles
to a private folder (the index is written under it). Rows:

- `kbtool index --rebuild`: a full build in a fresh process (start-up, loading,
  analysis, Whoosh multi-segment writing on every core). Target < 20 s.
- `kbtool index (one article changed)`: one sentence appended to one article,
  then `kbtool index`, in a fresh process. Target < 1 s.
- `search p50/p95`: 200 varied queries (titles, title words, labels, two-word
  mixes, misspellings, phrases; in every locale) through `SearchEngine.search`
  with snippets, in one warm process; wall time, and CPU time in brackets (less
  affected by other work on the machine). Target p95 < 50 ms.
- `suggest p50/p95`: the same queries as ticket subjects through `suggest`.
- `tantivy build` / `tantivy query p50/p95`: the same documents (title,
  labels, headings, body; one index, English stemming tokenizer) indexed and
  queried with tantivy-py, the Rust engine, for scale.

Figures depend on the machine's load: the caption prints the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import child_env, measure
from make_corpus import DEFAULT_N, build_corpus  # noqa: F401  (documents the dependency)

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

_QUERY_TIMER = """\
import json, random, statistics, sys, time
from pathlib import Path
from kbtool.config import load_config
from kbtool.search import open_engine
root, queries = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
config, _ = load_config(root)
t0 = time.perf_counter()
engine = open_engine(config, update=False)
opened = time.perf_counter() - t0
out = {"open": opened, "search": [], "suggest": []}
for q, loc in queries[:5]:  # warm caches (vocabulary, jieba)
    engine.search(q, locale=loc); engine.suggest(q, locale=loc)
out["search_cpu"], out["suggest_cpu"] = [], []
for q, loc in queries:
    t, c = time.perf_counter(), time.process_time(); engine.search(q, locale=loc)
    out["search"].append(time.perf_counter() - t); out["search_cpu"].append(time.process_time() - c)
for q, loc in queries:
    t, c = time.perf_counter(), time.process_time(); engine.suggest(q, locale=loc)
    out["suggest"].append(time.perf_counter() - t); out["suggest_cpu"].append(time.process_time() - c)
print(json.dumps(out))
"""

_TANTIVY = """\
import json, sys, time
from pathlib import Path
import tantivy
docs = json.loads(Path(sys.argv[1]).read_text()); queries = json.loads(Path(sys.argv[2]).read_text())
folder = sys.argv[3]
t0 = time.perf_counter()
sb = tantivy.SchemaBuilder()
for name in ("title", "labels", "headings", "body"):
    sb.add_text_field(name, stored=name == "title", tokenizer_name="en_stem")
sb.add_text_field("path", stored=True, tokenizer_name="raw")
schema = sb.build()
index = tantivy.Index(schema, path=folder)
writer = index.writer(heap_size=256_000_000, num_threads=2)
for d in docs:
    writer.add_document(tantivy.Document(**d))
writer.commit()
writer.wait_merging_threads()
built = time.perf_counter() - t0
index.reload()
searcher = index.searcher()
times = []
for q, _ in queries:
    text = " ".join(w for w in q.replace('"', " ").split() if w.isalnum())
    if not text:
        continue
    t = time.perf_counter()
    parsed = index.parse_query(text, ["title", "labels", "headings", "body"],
                               field_boosts={"title": 3.0, "labels": 2.8, "headings": 1.5})
    hits = searcher.search(parsed, 10).hits
    [searcher.doc(addr)["title"] for _, addr in hits]
    times.append(time.perf_counter() - t)
size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
print(json.dumps({"build": built, "query": times, "size": size}))
"""


def _kbtool() -> list[str]:
    script = Path(sys.executable).with_name("kbtool")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kbtool"]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _queries(kb: Path, n: int) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """`n` varied queries over every locale, and the English documents for tantivy."""
    sys.path.insert(0, str(BENCH.parent))
    from kbtool.config import load_config
    from kbtool.corpus import load_corpus
    from kbtool.search.analysis import language_for
    from kbtool.search.schema import article_doc

    config, _ = load_config(kb)
    corpus = load_corpus(config, with_git=False)
    rng = random.Random(7)
    articles = [a for a in corpus.articles if a.is_published]
    docs = []
    for article in articles:
        doc = article_doc(article, "", language_for(article.locale)).fields
        docs.append(
            {
                "title": doc.get("title", ""),
                "labels": doc.get("labels", "").replace("\x1f", " "),
                "headings": doc.get("headings", ""),
                "body": doc.get("body", ""),
                "path": article.rel_path,
            }
        )
    queries: list[tuple[str, str]] = []
    while len(queries) < n:
        article = rng.choice(articles)
        words = [w for w in article.title.split() if len(w) > 3 and w.isalpha()]
        kind = len(queries) % 5
        if kind == 0 or not words:
            q = article.title
        elif kind == 1:
            q = " ".join(rng.sample(words, min(2, len(words))))
        elif kind == 2:
            word = rng.choice(words)
            q = word[:2] + word[3:] if len(word) > 4 else word  # a typo
        elif kind == 3:
            other = rng.choice(articles)
            extra = [w for w in other.title.split() if w.isalpha()]
            q = f"{rng.choice(words)} {rng.choice(extra) if extra else ''}".strip()
        else:
            q = '"' + " ".join(words[:2]) + '"'
        queries.append((q, article.locale))
    return queries, docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the private copy")
    args = parser.parse_args()

    from common import corpus_folder

    source = corpus_folder(args.n)
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="kbtool-search-bench-"))
    kb = work / "kb"
    shutil.copytree(source, kb, ignore=shutil.ignore_patterns(".git", ".kbtool"))
    rows: list[tuple[str, str, str]] = []
    try:
        # imports from cached bytecode, as for an installed kbtool; this run writes it
        env = {**child_env(), "COLUMNS": "200"}
        warm = "import kbtool.cli, kbtool.search.engine, kbtool.search.store, kbtool.search.writer"
        subprocess.run([sys.executable, "-c", warm], env=env, check=True)
        full = measure([*_kbtool(), "-C", str(kb), "index", "--rebuild", "-f", "json"], env=env)
        if full.returncode != 0:
            raise SystemExit(f"kbtool index failed:\n{full.stderr}")
        info = json.loads(full.stdout)
        counts = ", ".join(f"{k} {v}" for k, v in info["articles"].items())
        rows.append(("kbtool index --rebuild", f"{full.seconds:.2f} s (CPU {full.cpu_seconds:.1f} s)",
                     f"< 20 s {'ok' if full.seconds < 20 else 'MISSED'}"))  # fmt: skip
        print(f"full build: {full.seconds:.2f} s", file=sys.stderr)
        rows.append(("index size", f"{info['size_bytes'] / 1e6:.1f} MB ({counts})", ""))

        page = next((kb / "articles" / "en").rglob("*.md"))
        original = page.read_bytes()
        incremental, incremental_cpu = [], []
        for i in range(3):
            page.write_bytes(original + f"\nOne more sentence {i}.\n".encode())
            run = measure([*_kbtool(), "-C", str(kb), "index", "-f", "json"], env=env)
            if run.returncode != 0 or json.loads(run.stdout)["action"] != "updated":
                raise SystemExit(f"incremental index failed:\n{run.stderr}{run.stdout}")
            incremental.append(run.seconds)
            incremental_cpu.append(run.cpu_seconds)
        page.write_bytes(original)
        measure([*_kbtool(), "-C", str(kb), "index"], env=env)
        best = min(incremental)
        rows.append(("kbtool index (one article changed)",
                     f"{statistics.median(incremental):.2f} s median, {best:.2f} s best "
                     f"(CPU {statistics.median(incremental_cpu):.2f} s)",
                     f"< 1 s {'ok' if statistics.median(incremental) < 1 else 'MISSED'}"))  # fmt: skip

        queries, docs = _queries(kb, args.queries)
        qfile = work / "queries.json"
        qfile.write_text(json.dumps(queries), encoding="utf-8")
        timed = subprocess.run([sys.executable, "-c", _QUERY_TIMER, str(kb), str(qfile)],
                               capture_output=True, text=True, check=False, env=env)  # fmt: skip
        if timed.returncode != 0:
            raise SystemExit(f"query timing failed:\n{timed.stderr}")
        result = json.loads(timed.stdout.strip().splitlines()[-1])
        for kind, target in (("search", 0.05), ("suggest", None)):
            times, cpu = result[kind], result[f"{kind}_cpu"]
            p50, p95 = _quantile(times, 0.5), _quantile(times, 0.95)
            verdict = "" if target is None else f"p95 < 50 ms {'ok' if p95 < target else 'MISSED'}"
            rows.append((f"{kind} ({len(times)} queries)",
                         f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms "
                         f"(CPU p50 {_quantile(cpu, 0.5) * 1000:.1f}, p95 {_quantile(cpu, 0.95) * 1000:.1f} ms)",
                         verdict))  # fmt: skip
        rows.append(("open index (in-process)", f"{result['open'] * 1000:.0f} ms", ""))

        dfile = work / "docs.json"
        dfile.write_text(json.dumps(docs), encoding="utf-8")
        (work / "tantivy").mkdir()
        t = subprocess.run([sys.executable, "-c", _TANTIVY, str(dfile), str(qfile), str(work / "tantivy")],
                           capture_output=True, text=True, check=False)  # fmt: skip
        if t.returncode == 0:
            tv = json.loads(t.stdout.strip().splitlines()[-1])
            rows.append(("peer: tantivy build (same docs, 2 threads)", f"{tv['build']:.2f} s", ""))
            rows.append(("peer: tantivy query", f"p50 {_quantile(tv['query'], 0.5) * 1000:.2f} ms, "
                         f"p95 {_quantile(tv['query'], 0.95) * 1000:.2f} ms", ""))  # fmt: skip
            rows.append(("peer: tantivy index size", f"{tv['size'] / 1e6:.1f} MB", ""))
        else:
            rows.append(("peer: tantivy", "not run: " + t.stderr.strip().splitlines()[-1], ""))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    print(f"kbtool search on {args.n:,} articles; {os.cpu_count()} CPUs; load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after\n")  # fmt: skip
    print("| benchmark | result | target |")
    print("|---|---|---|")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")
    sys.stdout.flush()
    _ = time
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
