"""Time loading a knowledge base: front matter plus git dates, as every command does.

    python benchmarks/load.py                   # 10,000 articles, 5 timed runs each
    python benchmarks/load.py --n 2000 --repeat 3
    python benchmarks/load.py --json results.json --check

Builds (or reuses) the knowledge base of `make_corpus.py`, then runs each
benchmark in a fresh Python process: the OS page cache is warm (one untimed
warm-up run each), but interpreter start-up and imports count, as they do for a
user. Wall time is measured from spawning the process to reaping it; CPU time
(user + system, which other work on a shared machine inflates far less) and
peak RSS come from the child's own `os.wait4` resource usage.

Benchmarks:

- `load_corpus (git dates)`: the Python API, `load_corpus(config)`, which is what
  `kbtool articles` and every other command load. The target applies here.
- `load_corpus (git, warm cache)`: the same with the cache in `.kbtool/cache/`
  that every command uses (`kbtool articles`, `review`, `lint`...): after the
  untimed warm-up run, no unchanged file is parsed again.
- `load_corpus (no git)`: the same with `with_git=False`: parsing alone.
- `GitHistory.load`: the one `git log` pass and its parsing, alone.
- `kbtool articles --format json`: the CLI end to end, writing the inventory.
- peers, for scale: `python-frontmatter` loading every file naively
  (`frontmatter.load` on each, no git, no mapping); the raw `git log` that
  `GitHistory` runs; Python start-up plus kbtool's imports.
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

from common import (
    Measurement,
    child_env,
    corpus_folder,
    git_env,
    measure,
    rss_floor_kib,
)
from make_corpus import DEFAULT_N

TARGET_SECONDS = 3.0
TARGET_BENCHMARK = "load_corpus (git dates)"

# Children print one JSON line: what they loaded, so each run is checked, not just timed.
_API = """\
import json, sys
from pathlib import Path
from kbtool.config import load_config
from kbtool.corpus import load_corpus

config, _ = load_config(Path(sys.argv[1]))
cache = None
if sys.argv[3:] == ["cache"]:
    from kbtool.corpus.cache import CorpusCache
    cache = CorpusCache.open(config.root)
corpus = load_corpus(config, with_git=sys.argv[2] == "git", cache=cache)
dated = sum(a.last_commit is not None for a in corpus)
print(json.dumps({"articles": len(corpus), "problems": len(corpus.problems), "dated": dated}))
"""

_GIT_ONLY = """\
import json, sys
from pathlib import Path
from kbtool.config import load_config
from kbtool.corpus.git import GitHistory

config, _ = load_config(Path(sys.argv[1]))
history = GitHistory.load(config.articles_path)
print(json.dumps({} if history.available else {"note": f"no history: {history.reason}"}))
"""

_FRONTMATTER = """\
import json, sys
from pathlib import Path
import frontmatter

loaded = failed = 0
for path in sorted(Path(sys.argv[1], "articles").rglob("*.md")):
    try:
        frontmatter.load(path)
    except Exception:
        failed += 1
    else:
        loaded += 1
print(json.dumps({"articles": loaded, "problems": failed}))
"""

_SUMMARY = """\
import json, sys
summary = json.load(open(sys.argv[1], encoding="utf-8"))["summary"]
print(json.dumps({"articles": summary["articles"], "problems": summary["problems"]}))
"""

_IMPORTS = """\
import kbtool.config, kbtool.corpus
"""

# The `git log` that GitHistory.load runs (see kbtool/corpus/git.py).
_GIT_LOG = (
    "log",
    "--no-color",
    "--no-renames",
    "--no-ext-diff",
    "-z",
    "--no-show-signature",
    "--encoding=UTF-8",
    "--name-only",
    "--format=%x1e%H%x1f%ct%x1f%aN%x1f%aE",
    "--",
    "articles",
)


@dataclass(frozen=True)
class Benchmark:
    name: str
    what: str
    command: Callable[[Path, Path], list[str]]  # (knowledge base, scratch file) -> argv
    # Reads a run's counts from the child's stdout or the scratch file it wrote.
    counts: Callable[[Measurement, Path], dict[str, Any]] = lambda m, scratch: {}
    peer: bool = False


@dataclass
class Result:
    benchmark: Benchmark
    runs: list[Measurement] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> list[float]:
        return [run.seconds for run in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median_cpu(self) -> float:
        return statistics.median(run.cpu_seconds for run in self.runs)

    @property
    def peak_rss_mib(self) -> float:
        return max(run.max_rss_kib for run in self.runs) / 1024


def _python(code: str, *args: str) -> Callable[[Path, Path], list[str]]:
    return lambda kb, scratch: [sys.executable, "-c", code, str(kb), *args]


def _stdout_counts(run: Measurement, scratch: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return data


def _cli_counts(run: Measurement, scratch: Path) -> dict[str, Any]:
    # Read in a child: parsing megabytes of JSON here would raise this process's
    # peak RSS, which Linux reports as part of every later child's (see `measure`).
    summary = subprocess.run(
        [sys.executable, "-c", _SUMMARY, str(scratch)], capture_output=True, text=True, check=True
    ).stdout
    data: dict[str, Any] = json.loads(summary)
    return data


def _kbtool() -> list[str]:
    """The `kbtool` console script of this interpreter's environment, else `-m kbtool`."""
    script = Path(sys.executable).with_name("kbtool")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kbtool"]


BENCHMARKS = (
    Benchmark(
        TARGET_BENCHMARK,
        "load_corpus(config): parse + map fields + git dates",
        _python(_API, "git"),
        _stdout_counts,
    ),
    Benchmark(
        "load_corpus (git, warm cache)",
        "the same with the cache every command uses: no unchanged file parsed",
        _python(_API, "git", "cache"),
        _stdout_counts,
    ),
    Benchmark(
        "load_corpus (no git)",
        "load_corpus(config, with_git=False)",
        _python(_API, "nogit"),
        _stdout_counts,
    ),
    Benchmark(
        "GitHistory.load", "the one git log pass, parsed", _python(_GIT_ONLY), _stdout_counts
    ),
    Benchmark(
        "kbtool articles --format json",
        "the CLI end to end, JSON to a file",
        lambda kb, scratch: [
            *_kbtool(),
            "-C",
            str(kb),
            "articles",
            "--format",
            "json",
            "-o",
            str(scratch),
        ],
        _cli_counts,
    ),
    Benchmark(
        "peer: python-frontmatter",
        "frontmatter.load() on each file, no git",
        _python(_FRONTMATTER),
        _stdout_counts,
        peer=True,
    ),
    Benchmark(
        "peer: git log --name-only",
        "the raw git log GitHistory runs",
        lambda kb, scratch: ["git", "-C", str(kb), *_GIT_LOG],
        peer=True,
    ),
    Benchmark(
        "floor: python + imports",
        "start-up and `import kbtool.corpus`",
        _python(_IMPORTS),
        peer=True,
    ),
)


def run_benchmarks(
    kb: Path, benchmarks: Sequence[Benchmark], *, repeat: int, progress: bool
) -> list[Result]:
    """One untimed warm-up run of each, then `repeat` rounds, interleaved.

    Interleaving spreads any slow spell of the machine over every benchmark
    instead of landing on one.
    """
    results = [Result(b) for b in benchmarks]
    # The children's git must find the repository whatever the caller's
    # environment says (a hook's GIT_DIR), and read no user config.
    env = child_env()  # imports from cached bytecode (the warm-up run writes it)
    with tempfile.TemporaryDirectory(prefix="kbtool-bench-") as tmp:
        scratch = Path(tmp) / "out.json"
        for round_ in range(repeat + 1):
            for result in results:
                bench = result.benchmark
                if progress:
                    label = "warm-up" if round_ == 0 else f"run {round_}/{repeat}"
                    print(f"  {label}: {bench.name}", file=sys.stderr, end="\x1b[K\r")
                run = measure(bench.command(kb, scratch), env=env)
                if run.returncode != 0:
                    raise SystemExit(
                        f"load: {bench.name} failed with exit code "
                        f"{run.returncode}:\n{run.stderr.strip()}"
                    )
                counts = bench.counts(run, scratch)
                if round_ == 0:
                    result.counts = counts
                    continue
                if counts != result.counts:
                    raise SystemExit(f"load: {bench.name} loaded {counts}, then {result.counts}")
                result.runs.append(run)
    if progress:
        print("\x1b[K", file=sys.stderr, end="")
    return results


def _in_work_tree(folder: Path) -> bool:
    check = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
        env=git_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return check.stdout.strip() == "true"


def environment(kb: Path, n: int, repeat: int) -> dict[str, Any]:
    import kbtool

    git_version = (
        subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
        .stdout.strip()
        .removeprefix("git version ")
    )
    return {
        "date": dt.date.today().isoformat(),
        "articles": n,
        "repeat": repeat,
        "knowledge_base": str(kb),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "git": git_version,
        "kbtool": kbtool.__version__,
    }


def verdict(results: Sequence[Result], target: float) -> tuple[Result, bool] | None:
    for result in results:
        if result.benchmark.name == TARGET_BENCHMARK:
            return result, result.median < target
    return None


def print_table(results: Sequence[Result], env: dict[str, Any], target: float) -> None:
    from rich.console import Console
    from rich.table import Table

    # Not squeezed into 80 columns when piped into a file.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    floor = env["rss_floor_mib"]
    table = Table(
        title=f"Loading {env['articles']:,} articles: {env['repeat']} runs each, "
        f"fresh processes, warm page cache",
        caption=f"{env['date']} · {env['cpus']} CPUs {env['machine']} · Python "
        f"{env['python']} · git {env['git']} · kbtool {env['kbtool']} · load average "
        f"{env['load_average'][0]:.2f} before, {env['load_average'][1]:.2f} after",
    )
    table.add_column("benchmark")
    table.add_column("min s", justify="right")
    table.add_column("median s", justify="right")
    table.add_column("CPU s", justify="right")
    table.add_column("peak RSS MiB", justify="right")
    table.add_column("articles", justify="right")
    table.add_column("problems", justify="right")
    table.add_column("target", justify="center")
    judged = verdict(results, target)
    for result in results:
        counts = result.counts
        articles = f"{counts['articles']:,}" if "articles" in counts else counts.get("note", "-")
        if counts.get("dated"):
            articles += f" ({counts['dated']:,} dated)"
        mark = "-"
        if judged is not None and judged[0] is result:
            mark = f"< {target:g} s " + ("[green]PASS[/]" if judged[1] else "[red]FAIL[/]")
        table.add_row(
            ("[dim]" if result.benchmark.peer else "") + result.benchmark.name,
            f"{result.best:.2f}",
            f"{result.median:.2f}",
            f"{result.median_cpu:.2f}",
            # Within a MiB of the floor the figure may be this process's, not the child's.
            f"{result.peak_rss_mib:.0f}"
            if result.peak_rss_mib > floor + 1
            else f"≤ {floor + 1:.0f}",
            articles,
            f"{counts['problems']:,}" if "problems" in counts else "-",
            mark,
            end_section=result.benchmark.name == "kbtool articles --format json",
        )
    console.print(table)
    console.print(
        f"knowledge base: {env['knowledge_base']}; peak RSS cannot be measured "
        f"below {floor:.0f} MiB (this process's own)",
        style="dim",
    )


def to_json(results: Sequence[Result], env: dict[str, Any], target: float) -> dict[str, Any]:
    judged = verdict(results, target)
    return {
        "environment": env,
        "target": {
            "benchmark": TARGET_BENCHMARK,
            "seconds": target,
            "pass": judged[1] if judged else None,
        },
        "results": [
            {
                "benchmark": r.benchmark.name,
                "what": r.benchmark.what,
                "seconds": [round(s, 4) for s in r.seconds],
                "min": round(r.best, 4),
                "median": round(r.median, 4),
                "median_cpu": round(r.median_cpu, 4),
                "peak_rss_mib": round(r.peak_rss_mib, 1),
                **r.counts,
            }
            for r in results
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time loading a knowledge base of N articles with git dates."
    )
    parser.add_argument(
        "--n", type=int, default=DEFAULT_N, help=f"number of articles (default {DEFAULT_N:,})"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs each (default 5)")
    parser.add_argument(
        "--kb", type=Path, default=None, help="time this knowledge base instead of building one"
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the knowledge base")
    parser.add_argument(
        "--no-peers",
        action="store_true",
        help="skip the reference runs (python-frontmatter, git log, imports)",
    )
    parser.add_argument(
        "--target",
        type=float,
        default=TARGET_SECONDS,
        help=f"seconds the median load must stay under (default "
        f"{TARGET_SECONDS:g}; the issue's target is for 10,000 articles)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write results as JSON")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the load misses the target"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    kb = args.kb.absolute() if args.kb else corpus_folder(args.n, fresh=args.fresh)
    benchmarks = [b for b in BENCHMARKS if not (args.no_peers and b.peer)]
    if not _in_work_tree(kb):
        benchmarks = [b for b in benchmarks if b.name != "peer: git log --name-only"]
    # Other work on the machine inflates wall times (CPU times much less): say so.
    load_before = os.getloadavg()[0]
    results = run_benchmarks(kb, benchmarks, repeat=args.repeat, progress=sys.stderr.isatty())
    n = results[0].counts.get("articles", args.n)
    env = environment(kb, n, args.repeat)
    env["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    env["rss_floor_mib"] = round(rss_floor_kib() / 1024, 1)
    print_table(results, env, args.target)
    if args.json:
        args.json.write_text(
            json.dumps(to_json(results, env, args.target), indent=2) + "\n", encoding="utf-8"
        )
    judged = verdict(results, args.target)
    return 1 if args.check and judged is not None and not judged[1] else 0


if __name__ == "__main__":
    sys.exit(main())
