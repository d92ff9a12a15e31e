"""Time `kbtool translations` on N source articles x 3 locales with git history.

    python benchmarks/translations.py                 # 10,000 sources x 3 locales, 5 runs each
    python benchmarks/translations.py --n 2000 --repeat 3
    python benchmarks/translations.py --json results.json --check

Builds (or reuses) the translated knowledge base of `make_corpus.py --translated`
(N English Commerce articles, each with its German and Japanese translation,
plus the German leftovers of deleted English articles; a third of the sources
completed after their translations, so stale by git) and runs each command in
a fresh process, as a user would. One untimed warm-up run each, then
`--repeat` interleaved rounds. Wall time from spawning to reaping; CPU time is
the child's user + system time, which other work on a shared machine inflates
much less than wall time.

Benchmarks:

- `kbtool translations`: the rows that need work and the coverage table,
  written to a pipe. The target applies to its median.
- `kbtool translations --format json`: every row, to a file.
- `kbtool translations --fail-on stale`: the CI gate (exits 1 here).
- peer: `kbtool articles --format json`: the same loading with the inventory
  instead: what the translation report adds is the difference.
- peer: a hand-rolled script, the way teams compare dates without a tool: one
  `git log -1` per translation and per source. Run on `--peer-pairs` pairs and
  extrapolated to all of them (running it on 20,000 pairs takes many minutes).

Below the table, the stages of one run timed in-process (imports, loading,
the report, the table).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import Measurement, child_env, measure
from make_corpus import DEFAULT_N, build_corpus
from review import _kbtool, environment

TARGET_SECONDS = 5.0
TARGET_BENCHMARK = "kbtool translations"
PEER_PAIRS = 200

_STAGES = """\
import io, json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from kbtool.config import load_config
from kbtool.corpus import load_corpus
from kbtool.corpus.cache import CorpusCache
from kbtool.translations import translation_report
from kbtool.cli import translations_output as out
from kbtool.translations import TranslationStatus
from rich.console import Console
t1 = time.perf_counter()
config, _ = load_config(Path(sys.argv[1]))
import gc; gc.set_threshold(200_000, 30, 30)  # as kbtool.cli.main does
corpus = load_corpus(config, cache=CorpusCache.open(config.root))  # as the CLI loads
t2 = time.perf_counter()
report = translation_report(corpus)
t3 = time.perf_counter()
console = Console(file=io.StringIO(), width=200, no_color=True, color_system=None)
rows = [i for i in report.items if i.status is not TranslationStatus.UP_TO_DATE]
out.print_report(console, report, report.coverage, rows, root=config.root)
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "load": t2 - t1, "report": t3 - t2, "table": t4 - t3,
                  "articles": len(corpus), "rows": len(report.items)}))
"""

# The hand-rolled peer: for each (translation, source) pair, ask git for both
# last-commit times and compare them. argv: KB, number of pairs.
_PEER = """\
import subprocess, sys
from pathlib import Path
kb, n = Path(sys.argv[1]), int(sys.argv[2])
pairs = []
for path in sorted((kb / "articles" / "de-de").rglob("*.md")):
    source = kb / "articles" / "en" / path.relative_to(kb / "articles" / "de-de")
    if source.is_file():
        pairs.append((path, source))
    if len(pairs) == n:
        break
def last(path):
    out = subprocess.run(["git", "-C", str(kb), "log", "-1", "--format=%ct", "--", str(path)],
                         capture_output=True, text=True, check=True).stdout.strip()
    return int(out or 0)
stale = sum(last(t) < last(s) for t, s in pairs)
print(f"{len(pairs)} pairs, {stale} stale")
"""


@dataclass(frozen=True)
class Benchmark:
    name: str
    command: Callable[[Path, Path], list[str]]  # (kb, scratch) -> argv
    exit_codes: tuple[int, ...] = (0,)
    peer: bool = False


def _cli(*args: str) -> Callable[[Path, Path], list[str]]:
    def command(kb: Path, scratch: Path) -> list[str]:
        return [*_kbtool(), "-C", str(kb), *(str(scratch) if a == "{out}" else a for a in args)]

    return command


def _benchmarks(peer_pairs: int) -> tuple[Benchmark, ...]:
    return (
        Benchmark(TARGET_BENCHMARK, _cli("translations")),
        Benchmark(
            "kbtool translations --format json", _cli("translations", "-f", "json", "-o", "{out}")
        ),
        Benchmark(
            "kbtool translations --fail-on stale",
            _cli("translations", "--fail-on", "stale", "-f", "csv", "-o", "{out}"),
            exit_codes=(0, 1),
        ),
        Benchmark(
            "peer: kbtool articles --format json",
            _cli("articles", "--format", "json", "-o", "{out}"),
            peer=True,
        ),
        Benchmark(
            f"peer: git log -1 per file, {peer_pairs} pairs",
            lambda kb, scratch: [sys.executable, "-c", _PEER, str(kb), str(peer_pairs)],
            peer=True,
        ),
    )


@dataclass
class Result:
    benchmark: Benchmark
    runs: list[Measurement] = field(default_factory=list)
    summary: str = ""

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def best(self) -> float:
        return min(r.seconds for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def peak_rss_mib(self) -> float:
        return max(r.max_rss_kib for r in self.runs) / 1024


def run_benchmarks(
    kb: Path, benchmarks: Sequence[Benchmark], *, repeat: int, progress: bool
) -> list[Result]:
    results = [Result(b) for b in benchmarks]
    env = child_env()
    env.pop("NO_COLOR", None)
    env["COLUMNS"] = "200"
    with tempfile.TemporaryDirectory(prefix="kbtool-bench-") as tmp:
        scratch = Path(tmp) / "out"
        for round_ in range(repeat + 1):
            for result in results:
                bench = result.benchmark
                if progress:
                    label = "warm-up" if round_ == 0 else f"run {round_}/{repeat}"
                    print(f"  {label}: {bench.name}", file=sys.stderr, end="\x1b[K\r")
                run = measure(bench.command(kb, scratch), env=env)
                if run.returncode not in bench.exit_codes:
                    raise SystemExit(
                        f"translations: {bench.name} failed with exit code "
                        f"{run.returncode}:\n{run.stderr.strip()}"
                    )
                if round_ == 0:
                    result.summary = _summary(run)
                    continue
                result.runs.append(run)
    if progress:
        print("\x1b[K", file=sys.stderr, end="")
    return results


def _summary(run: Measurement) -> str:
    for line in reversed((run.stdout + "\n" + run.stderr).splitlines()):
        if " translated (" in line or " pairs, " in line:
            return line.strip()
    return ""


def stages(kb: Path, repeat: int) -> dict[str, float]:
    env = child_env()
    runs: list[dict[str, float]] = []
    for round_ in range(repeat + 1):
        run = measure([sys.executable, "-c", _STAGES, str(kb)], env=env)
        if run.returncode != 0:
            raise SystemExit(f"translations: stage timing failed:\n{run.stderr.strip()}")
        if round_:
            runs.append(json.loads(run.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def _pairs(kb: Path) -> int:
    """Translations with a source: what the hand-rolled peer would check in full."""
    total = 0
    for locale in ("de-de", "ja-jp"):
        base = kb / "articles" / locale
        for path in base.rglob("*.md"):
            total += (kb / "articles" / "en" / path.relative_to(base)).is_file()
    return total


def print_table(
    results: Sequence[Result], env: dict[str, Any], target: float, peer_pairs: int
) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    table = Table(
        title=f"kbtool translations on {env['files']:,} files ({env['articles']:,} sources x "
        f"3 locales): {env['repeat']} runs each, fresh processes, warm page cache",
        caption=f"{env['date']} · {env['cpus']} CPUs {env['machine']} · load "
        f"{env['load_average']:.1f} → {env['load_after']:.1f} · Python {env['python']} · "
        f"git {env['git']} · kbtool {env['kbtool']}",
    )
    for name, justify in (
        ("benchmark", "left"),
        ("min s", "right"),
        ("median s", "right"),
        ("CPU s", "right"),
        ("peak RSS MiB", "right"),
        ("target", "center"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for result in results:
        mark = "-"
        if result.benchmark.name == TARGET_BENCHMARK:
            ok = result.median < target
            mark = f"< {target:g} s " + ("[green]PASS[/]" if ok else "[red]FAIL[/]")
        table.add_row(
            ("[dim]" if result.benchmark.peer else "") + result.benchmark.name,
            f"{result.best:.2f}",
            f"{result.median:.2f}",
            f"{result.cpu:.2f}",
            f"{result.peak_rss_mib:.0f}",
            mark,
        )
    console.print(table)
    for result in results:
        if result.summary:
            console.print(f"{result.benchmark.name}: {result.summary}", style="dim")
    peer = next((r for r in results if r.benchmark.name.startswith("peer: git log")), None)
    if peer is not None:
        total = env["pairs"]
        console.print(
            f"hand-rolled peer extrapolated to all {total:,} pairs: "
            f"~{peer.median * total / peer_pairs:,.0f} s"
        )
    split = env.get("stages")
    if split:
        console.print(
            f"in-process, median: imports {split['imports']:.2f} s, loading "
            f"{split['load']:.2f} s, report {split['report']:.2f} s, table "
            f"{split['table']:.2f} s ({split['rows']:,.0f} rows)"
        )
    console.print(f"knowledge base: {env['knowledge_base']}", style="dim")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time kbtool translations on N x 3 articles.")
    parser.add_argument(
        "--n", type=int, default=DEFAULT_N, help=f"source articles (default {DEFAULT_N:,})"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs each (default 5)")
    parser.add_argument("--kb", type=Path, default=None, help="time this knowledge base instead")
    parser.add_argument("--fresh", action="store_true", help="rebuild the knowledge base")
    parser.add_argument("--no-peers", action="store_true", help="skip the peers")
    parser.add_argument(
        "--peer-pairs",
        type=int,
        default=PEER_PAIRS,
        help=f"pairs the hand-rolled peer checks (default {PEER_PAIRS})",
    )
    parser.add_argument("--target", type=float, default=TARGET_SECONDS)
    parser.add_argument("--json", type=Path, default=None, help="also write results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    kb = args.kb.absolute() if args.kb else build_corpus(args.n, fresh=args.fresh, translated=True)
    benchmarks = [b for b in _benchmarks(args.peer_pairs) if not (args.no_peers and b.peer)]
    env = environment(kb, args.repeat)
    env["files"] = sum(1 for _ in (kb / "articles").rglob("*.md"))
    env["articles"] = env["articles"] or args.n
    env["pairs"] = _pairs(kb)
    results = run_benchmarks(kb, benchmarks, repeat=args.repeat, progress=sys.stderr.isatty())
    env["stages"] = stages(kb, args.repeat)
    env["load_after"] = os.getloadavg()[0]
    print_table(results, env, args.target, args.peer_pairs)
    target_result = next(r for r in results if r.benchmark.name == TARGET_BENCHMARK)
    if args.json:
        payload = {
            "environment": env,
            "target": {
                "benchmark": TARGET_BENCHMARK,
                "seconds": args.target,
                "pass": target_result.median < args.target,
            },
            "results": [
                {
                    "benchmark": r.benchmark.name,
                    "seconds": [round(x.seconds, 4) for x in r.runs],
                    "cpu_seconds": [round(x.cpu_seconds, 4) for x in r.runs],
                    "min": round(r.best, 4),
                    "median": round(r.median, 4),
                    "peak_rss_mib": round(r.peak_rss_mib, 1),
                    "summary": r.summary,
                }
                for r in results
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 1 if args.check and target_result.median >= args.target else 0


if __name__ == "__main__":
    sys.exit(main())
