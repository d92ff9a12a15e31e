"""`kbtool build` side by side with mkdocs-material and Hugo on the same Markdown.

    python benchmarks/site.py                       # 1,000 and 10,000 articles
    python benchmarks/site.py --sizes 1000 --json site.json
    python benchmarks/site.py --no-lighthouse --no-peers

For each size the `make_corpus.py` knowledge base is built or reused, then, in
the same run: `kbtool build` cold (`--clean`), after appending one line to
one article, and after a change of settings (another `--base-url`: every page
changes, the article bodies rendered before are kept); `mkdocs build` with the
Material theme (`docs_dir` = the articles folder, so the same files); and
`hugo` with a minimal layout (Hugo renders nothing without one) over the same
files. Reported per tool: wall and CPU
seconds, HTML pages, output size and average HTML page weight. Lighthouse
(npm `lighthouse@12`, installed under `$TMPDIR/kbtool-site-tools`, run with
Debian's `/usr/bin/chromium`) scores one article page of each output served
from 127.0.0.1.

Targets (issue 8): kbtool cold <= 0.2 x mkdocs-material and <= 10 x Hugo; one
change < 2 s at 10,000 articles; Lighthouse 100 for accessibility, SEO and
best practices, >= 95 for performance.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE_ROOT, Measurement, corpus_folder, measure

VENV_BIN = Path(sys.executable).parent
TOOLS = Path(os.environ.get("KBTOOL_SITE_TOOLS", Path(tempfile.gettempdir()) / "kbtool-site-tools"))
CHROMIUM = Path("/usr/bin/chromium")
PEER_TIMEOUT = 1800  # seconds a peer tool may take (mkdocs-material at 10,000 pages is slow)
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync"
)

HUGO_CONFIG = """baseURL = "https://help.example.com/"
title = "Benchmark"
contentDir = "{content}"
publishDir = "{out}"
disableKinds = ["taxonomy", "term", "RSS"]
[markup.goldmark.renderer]
unsafe = false
"""
HUGO_BASEOF = """<!doctype html><html lang="{{ .Site.Language.Lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }}</title>
{{ with .Description }}<meta name="description" content="{{ . }}">{{ end }}
</head><body><main>{{ block "main" . }}{{ end }}</main></body></html>
"""
HUGO_SINGLE = '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n'
HUGO_LIST = (
    '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}'
    '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n'
)


@dataclass
class Row:
    size: int
    tool: str
    run: str
    seconds: float
    cpu: float
    ok: bool
    pages: int = 0
    output_mib: float = 0.0
    avg_page_kib: float = 0.0
    lighthouse: dict[str, int] = field(default_factory=dict)
    note: str = ""


def _html_stats(folder: Path) -> tuple[int, float, float]:
    pages = [p for p in folder.rglob("*.html") if "pagefind" not in p.parts]
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    html = sum(p.stat().st_size for p in pages)
    return len(pages), total / 2**20, (html / len(pages) / 1024) if pages else 0.0


def _row(size: int, tool: str, run: str, m: Measurement, out: Path | None, note: str = "") -> Row:
    ok = m.returncode == 0
    row = Row(size, tool, run, round(m.seconds, 2), round(m.cpu_seconds, 2), ok, note=note)
    if ok and out is not None and out.is_dir():
        row.pages, mib, kib = _html_stats(out)
        row.output_mib, row.avg_page_kib = round(mib, 1), round(kib, 1)
    if not ok:
        row.note = (m.stderr.strip().splitlines() or ["failed"])[-1][:120]
    return row


def kbtool_runs(kb: Path, scratch: Path, size: int) -> tuple[list[Row], Path]:
    out = scratch / "kbtool-site"
    base = [str(VENV_BIN / "kbtool"), "-q", "-C", str(kb), "build", "--out", str(out)]
    base += ["--base-url", "https://help.example.com"]
    rows = [_row(size, "kbtool build", "cold", measure([*base, "--clean"]), out)]
    article = sorted((kb / "articles" / "en").rglob("*.md"))[size // 7]
    original = article.read_bytes()
    try:
        article.write_bytes(original + b"\nOne more line for the benchmark.\n")
        m = measure(base)
        rows.append(_row(size, "kbtool build", "one change", m, out, note="with search index"))
        article.write_bytes(original + b"\nAnother line for the benchmark.\n")
        m = measure([*base, "--no-search"])
        rows.append(_row(size, "kbtool build", "one change", m, out, note="pages only"))
    finally:
        article.write_bytes(original)
    measure(base)  # back to the original, so the next run starts from a matching manifest
    # new settings make every page new, but the article bodies of the last build are kept
    other = [*base[:-1], "https://docs.example.com", "--no-search"]
    m = measure(other)
    rows.append(
        _row(size, "kbtool build", "settings changed", m, out, note="bodies kept, no search")
    )
    return rows, out


def mkdocs_run(kb: Path, scratch: Path, size: int) -> tuple[Row, Path]:
    project = scratch / "mkdocs"
    project.mkdir(exist_ok=True)
    out = scratch / "mkdocs-site"
    (project / "mkdocs.yml").write_text(
        f"site_name: Benchmark\ndocs_dir: {kb / 'articles'}\nsite_dir: {out}\n"
        "site_url: https://help.example.com/\ntheme:\n  name: material\n"
        "validation:\n  links:\n    not_found: ignore\n    anchors: ignore\n"
        "    unrecognized_links: ignore\nhooks:\n  - hooks.py\n",
        encoding="utf-8",
    )
    # Material reads `hide:` as a list; some real articles say `hide: true`
    (project / "hooks.py").write_text(
        "def on_page_markdown(markdown, page, **kwargs):\n"
        "    if not isinstance(page.meta.get('hide'), list):\n"
        "        page.meta.pop('hide', None)\n"
        "    return markdown\n",
        encoding="utf-8",
    )
    command = [str(VENV_BIN / "mkdocs"), "build", "-q", "-f", str(project / "mkdocs.yml")]
    m = measure(_limited(command))
    row = _row(size, "mkdocs-material", "cold", m, out)
    if m.returncode == 124:
        row.note = f"did not finish within {PEER_TIMEOUT} s"
    return row, out


def _limited(command: list[str]) -> list[str]:
    """`command` stopped after PEER_TIMEOUT seconds (exit 124), where coreutils has timeout."""
    limit = shutil.which("timeout")
    return [limit, str(PEER_TIMEOUT), *command] if limit and PEER_TIMEOUT else command


def hugo_run(kb: Path, scratch: Path, size: int) -> tuple[Row, Path]:
    project = scratch / "hugo"
    layouts = project / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    out = scratch / "hugo-site"
    (project / "hugo.toml").write_text(
        HUGO_CONFIG.format(content=kb / "articles", out=out), encoding="utf-8"
    )
    (layouts / "baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    m = measure([str(VENV_BIN / "hugo"), "--quiet", "--source", str(project)])
    return _row(size, "hugo (minimal layout)", "cold", m, out), out


def _article_page(site: Path, tool: str) -> str | None:
    """A site-relative URL of one article page that exists in `site`."""
    candidates = sorted(
        p
        for p in site.rglob("index.html")
        if "business-central" in p.as_posix() and p.stat().st_size > 6000
    )
    if not candidates:
        return None
    page = candidates[len(candidates) // 3]
    return page.parent.relative_to(site).as_posix() + "/"


def lighthouse(site: Path, url_path: str) -> dict[str, int]:
    cli = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not cli.exists() or not CHROMIUM.exists():
        return {}

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    profile = tempfile.mkdtemp(prefix="kbtool-lh-")
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/{url_path}"
        done = subprocess.run(
            [
                str(cli),
                url,
                "--quiet",
                "--output=json",
                "--only-categories=performance,accessibility,best-practices,seo",
                f"--chrome-flags={CHROME_FLAGS} --user-data-dir={profile}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
        )
        report = json.loads(done.stdout)
        return {
            key: round((cat.get("score") or 0) * 100) for key, cat in report["categories"].items()
        } | {"bytes_kib": round(report["audits"]["total-byte-weight"]["numericValue"] / 1024)}
    except (ValueError, KeyError, subprocess.TimeoutExpired):
        return {}
    finally:
        httpd.shutdown()
        shutil.rmtree(profile, ignore_errors=True)


def run(sizes: Sequence[int], *, peers: bool, with_lighthouse: bool) -> list[Row]:
    rows: list[Row] = []
    for size in sizes:
        kb = corpus_folder(size)
        scratch = CACHE_ROOT / f"site-bench-{size}"
        scratch.mkdir(parents=True, exist_ok=True)
        first = len(rows)
        kb_rows, kb_out = kbtool_runs(kb, scratch, size)
        rows += kb_rows
        outputs = [(kb_rows[0], kb_out)]
        if peers:
            for runner in (mkdocs_run, hugo_run):
                row, out = runner(kb, scratch, size)
                rows.append(row)
                outputs.append((row, out))
        if with_lighthouse:
            for row, out in outputs:
                url = _article_page(out, row.tool) if row.ok else None
                if url:
                    row.lighthouse = lighthouse(out, url)
        for row in rows[first:]:
            print(_line(row), flush=True)
    return rows


def _line(row: Row) -> str:
    lh = row.lighthouse
    scores = (
        f"{lh.get('performance', '-')}/{lh.get('accessibility', '-')}/"
        f"{lh.get('best-practices', '-')}/{lh.get('seo', '-')} ({lh.get('bytes_kib', '-')} KiB)"
        if lh
        else "-"
    )
    return (
        f"| {row.size:,} | {row.tool} | {row.run} | {row.seconds:.2f} | {row.cpu:.2f} | "
        f"{row.pages:,} | {row.output_mib:.1f} | {row.avg_page_kib:.1f} | {scores} | "
        f"{'ok' if row.ok else 'FAILED'} {row.note} |"
    )


def verdicts(rows: Sequence[Row]) -> list[str]:
    out = []
    for size in sorted({r.size for r in rows}):
        got = {(r.tool, r.run): r for r in rows if r.size == size and r.ok}
        cold = got.get(("kbtool build", "cold"))
        if cold is None:
            continue
        for tool, limit in (("mkdocs-material", 0.2), ("hugo (minimal layout)", 10.0)):
            peer = got.get((tool, "cold"))
            if peer is not None:
                key = "ratio" if limit < 1 else "times"
                value = cold.seconds / peer.seconds
                mark = "PASS" if value <= limit else "FAIL"
                cpu = cold.cpu / peer.cpu if peer.cpu else float("nan")
                out.append(
                    f"{size:,}: kbtool / {tool} = {value:.2f} ({key} target {limit}) {mark}"
                    f" (by CPU time: {cpu:.2f})"
                )
        change = min(
            (r for r in rows if r.size == size and r.ok and r.run == "one change"),
            key=lambda r: r.seconds,
            default=None,
        )
        if change is not None and size >= 10_000:
            mark = "PASS" if change.seconds < 2 else "FAIL"
            out.append(
                f"{size:,}: one change ({change.note}) {change.seconds:.2f} s (target < 2 s) {mark}"
            )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    global PEER_TIMEOUT
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--no-peers", action="store_true", help="only kbtool")
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--json", type=Path, help="write the rows as JSON")
    parser.add_argument(
        "--peer-timeout", type=int, default=PEER_TIMEOUT, help="seconds per peer build (0: none)"
    )
    args = parser.parse_args(argv)
    PEER_TIMEOUT = args.peer_timeout
    load = os.getloadavg()[0]
    print(f"load average before: {load:.2f}; {os.cpu_count()} CPUs")
    print(
        "| articles | tool | run | wall s | CPU s | HTML pages | output MiB | avg page KiB "
        "| Lighthouse perf/a11y/bp/seo (article page weight) | |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows = run(args.sizes, peers=not args.no_peers, with_lighthouse=not args.no_lighthouse)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    for line in verdicts(rows):
        print(line)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2), encoding="utf-8")
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
