"""Time `kbtool review` on a knowledge base of N articles with git history.

    python benchmarks/review.py                   # 10,000 articles, 5 timed runs each
    python benchmarks/review.py --n 2000 --repeat 3
    python benchmarks/review.py --json results.json --check

Builds (or reuses) the knowledge base of `make_corpus.py` and runs each
command in a fresh process, as a user would: interpreter start-up, imports,
loading the articles with their git dates and the review itself all count. The
page cache is warm (one untimed warm-up run each). Wall time is measured from
spawning the process to reaping it; peak RSS is the child's own `ru_maxrss`.

Benchmarks:

- `kbtool review`: the status table grouped by owner, written to a file (not a
  terminal: no colour, every row). The target applies here.
- `kbtool review --format json`: the JSON report.
- `kbtool review --fail-on overdue`: the CI gate (exits 1 on this corpus).
- `kbtool review plan`: the quarterly plan.
- peer, for scale: `kbtool articles --format json`, the same load with the
  inventory instead of the review: what the review itself adds is the
  difference.

Below the table, the stages of one review timed in-process (imports, loading
the articles with git dates, the review, the table): on a busy machine every
stage slows alike, so their proportions still say where the time goes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import Measurement, child_env, measure
from make_corpus import DEFAULT_N, build_corpus

TARGET_SECONDS = 3.0
TARGET_BENCHMARK = "kbtool review"
AS_OF = "2026-11-23"


def _kbtool() -> list[str]:
    """The `kbtool` console script of this interpreter's environment, else `-m kbtool`."""
    script = Path(sys.executable).with_name("kbtool")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kbtool"]


# Run in a child: the time of each stage of `kbtool review`, in-process, so what the
# review adds to loading can be told apart from start-up and loading (and from a
# busy machine, which slows every stage alike).
_STAGES = """\
import io, json, sys, time, datetime as dt
from pathlib import Path
t0 = time.perf_counter()
from kbtool.config import load_config
from kbtool.corpus import load_corpus
from kbtool.corpus.cache import CorpusCache
from kbtool.review import review_corpus
from kbtool.cli import review_output as out
from rich.console import Console
t1 = time.perf_counter()
config, _ = load_config(Path(sys.argv[1]))
import gc; gc.set_threshold(200_000, 30, 30)  # as kbtool.cli.main does
corpus = load_corpus(config, cache=CorpusCache.open(config.root))  # as the CLI loads
t2 = time.perf_counter()
report = review_corpus(corpus, as_of=dt.date.fromisoformat(sys.argv[2]))
t3 = time.perf_counter()
console = Console(file=io.StringIO(), width=200, no_color=True, color_system=None)
out.print_report(console, report, out.group_items(report.items, "owner"), by="owner",
                 root=config.root)
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "load": t2 - t1, "review": t3 - t2, "table": t4 - t3,
                  "articles": len(report.items)}))
"""


@dataclass(frozen=True)
class Benchmark:
    name: str
    args: Callable[[Path], list[str]]  # scratch file -> kbtool arguments after `-C KB`
    exit_codes: tuple[int, ...] = (0,)
    peer: bool = False


BENCHMARKS = (
    Benchmark(TARGET_BENCHMARK, lambda scratch: ["review", "--as-of", AS_OF]),
    Benchmark(
        "kbtool review --format json",
        lambda scratch: ["review", "--as-of", AS_OF, "--format", "json", "-o", str(scratch)],
    ),
    Benchmark(
        "kbtool review --fail-on overdue",
        lambda scratch: [
            "review",
            "--as-of",
            AS_OF,
            "--fail-on",
            "overdue",
            "--format",
            "json",
            "-o",
            str(scratch),
        ],
        exit_codes=(0, 1),
    ),
    Benchmark("kbtool review plan", lambda scratch: ["review", "plan", "--as-of", AS_OF]),
    Benchmark(
        "peer: kbtool articles --format json",
        lambda scratch: ["articles", "--format", "json", "-o", str(scratch)],
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
    def peak_rss_mib(self) -> float:
        return max(r.max_rss_kib for r in self.runs) / 1024


def run_benchmarks(
    kb: Path, benchmarks: Sequence[Benchmark], *, repeat: int, progress: bool
) -> list[Result]:
    """One untimed warm-up run each, then `repeat` interleaved rounds."""
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
                run = measure([*_kbtool(), "-C", str(kb), *bench.args(scratch)], env=env)
                if run.returncode not in bench.exit_codes:
                    raise SystemExit(
                        f"review: {bench.name} failed with exit code "
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
    """The review's one-line summary (stdout or stderr), to show what was measured."""
    for line in reversed((run.stdout + "\n" + run.stderr).splitlines()):
        if line.startswith("As of "):
            return line.split(": ", 1)[1]
        if "review(s) fall due" in line:
            return line.split(": ", 1)[-1]
    return ""


def stages(kb: Path, repeat: int) -> dict[str, float]:
    """Median seconds of each stage over `repeat` runs (after one warm-up)."""
    env = child_env()
    runs: list[dict[str, float]] = []
    for round_ in range(repeat + 1):
        run = measure([sys.executable, "-c", _STAGES, str(kb), AS_OF], env=env)
        if run.returncode != 0:
            raise SystemExit(f"review: stage timing failed:\n{run.stderr.strip()}")
        if round_:
            runs.append(json.loads(run.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def environment(kb: Path, repeat: int) -> dict[str, Any]:
    import kbtool

    git_version = (
        subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
        .stdout.strip()
        .removeprefix("git version ")
    )
    manifest = kb / ".kbtool-bench.json"
    n = json.loads(manifest.read_text()).get("articles") if manifest.is_file() else None
    return {
        "date": dt.date.today().isoformat(),
        "articles": n,
        "repeat": repeat,
        "knowledge_base": str(kb),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "git": git_version,
        "kbtool": kbtool.__version__,
    }


def print_table(results: Sequence[Result], env: dict[str, Any], target: float) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    n = f"{env['articles']:,}" if env["articles"] else "?"
    table = Table(
        title=f"kbtool review on {n} articles: {env['repeat']} runs each, fresh processes, "
        "warm page cache",
        caption=f"{env['date']} · {env['cpus']} CPUs {env['machine']} · load "
        f"{env['load_average']:.1f} · Python {env['python']} · git {env['git']} · "
        f"kbtool {env['kbtool']}",
    )
    for name, justify in (
        ("benchmark", "left"),
        ("min s", "right"),
        ("median s", "right"),
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
            f"{result.peak_rss_mib:.0f}",
            mark,
        )
    console.print(table)
    for result in results:
        if result.summary:
            console.print(f"{result.benchmark.name}: {result.summary}", style="dim")
    split = env.get("stages")
    if split:
        console.print(
            f"in-process, median: imports {split['imports']:.2f} s, loading "
            f"{split['load']:.2f} s, review {split['review']:.2f} s, table "
            f"{split['table']:.2f} s ({split['articles']:,.0f} articles)"
        )
    console.print(f"knowledge base: {env['knowledge_base']}", style="dim")


def to_json(results: Sequence[Result], env: dict[str, Any], target: float) -> dict[str, Any]:
    target_result = next(r for r in results if r.benchmark.name == TARGET_BENCHMARK)
    return {
        "environment": env,
        "target": {
            "benchmark": TARGET_BENCHMARK,
            "seconds": target,
            "pass": target_result.median < target,
        },
        "results": [
            {
                "benchmark": r.benchmark.name,
                "seconds": [round(x.seconds, 4) for x in r.runs],
                "min": round(r.best, 4),
                "median": round(r.median, 4),
                "peak_rss_mib": round(r.peak_rss_mib, 1),
                "summary": r.summary,
            }
            for r in results
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time kbtool review on N articles.")
    parser.add_argument(
        "--n", type=int, default=DEFAULT_N, help=f"number of articles (default {DEFAULT_N:,})"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs each (default 5)")
    parser.add_argument(
        "--kb", type=Path, default=None, help="time this knowledge base instead of building one"
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the knowledge base")
    parser.add_argument("--no-peers", action="store_true", help="skip `kbtool articles`")
    parser.add_argument(
        "--target",
        type=float,
        default=TARGET_SECONDS,
        help=f"seconds the median `kbtool review` must stay under (default {TARGET_SECONDS:g})",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write results as JSON")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when `kbtool review` misses the target"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    kb = args.kb.absolute() if args.kb else build_corpus(args.n, fresh=args.fresh)
    benchmarks = [b for b in BENCHMARKS if not (args.no_peers and b.peer)]
    results = run_benchmarks(kb, benchmarks, repeat=args.repeat, progress=sys.stderr.isatty())
    env = environment(kb, args.repeat)
    env["stages"] = stages(kb, args.repeat)
    print_table(results, env, args.target)
    if args.json:
        args.json.write_text(
            json.dumps(to_json(results, env, args.target), indent=2) + "\n", encoding="utf-8"
        )
    target_result = next(r for r in results if r.benchmark.name == TARGET_BENCHMARK)
    return 1 if args.check and target_result.median >= args.target else 0


if __name__ == "__main__":
    sys.exit(main())
