"""Time `kbtool tags auto` and `kbtool tags matrix` on real knowledge bases.

    python benchmarks/tags.py                   # business-central-en and 10,000 articles, 5 runs
    python benchmarks/tags.py --repeat 3 --n 2000
    python benchmarks/tags.py --json results.json --check

Two knowledge bases:

- `business-central-en` from the shared corpora as it is (2,112 articles), with
  `tests/configs/business-central.toml` and its ten `[[tags.rules]]` (on
  `ms.topic`, `ms.search.form`, file-name globs and title words). The target
  applies here: `kbtool tags auto` in under 3 s.
- the `make_corpus.py` knowledge base of N articles (default 10,000, three
  locales), with its own `kbtool.toml` plus the same rules, given with
  `--config` so the cached knowledge base is not touched.

Every command runs in a fresh process, as a user would: interpreter start-up,
imports, loading the articles (tags commands need no git history) and the
command itself all count. One untimed warm-up run each, then interleaved rounds.
The peer, for scale, is `kbtool articles --format json` on the same files: the
same load with the inventory instead of the rules, so what tagging adds is the
difference. Nothing is written: `tags auto` without `--write` reads only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import (
    REPO_ROOT,
    Measurement,
    child_env,
    corpus_folder,
    default_corpora,
    measure,
)
from make_corpus import DEFAULT_N

TARGET_SECONDS = 3.0
BC_CONFIG = REPO_ROOT / "tests" / "configs" / "business-central.toml"


def _kbtool() -> list[str]:
    script = Path(sys.executable).with_name("kbtool")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kbtool"]


@dataclass(frozen=True)
class Benchmark:
    name: str
    base: str  # which knowledge base: "bc" or "kb"
    args: tuple[str, ...]
    target: bool = False
    peer: bool = False
    exit_codes: tuple[int, ...] = (0,)


def benchmarks(n: int) -> list[Benchmark]:
    big = f"{n:,} articles"
    return [
        Benchmark("tags auto · business-central-en", "bc", ("tags", "auto"), target=True),
        Benchmark(
            "tags auto --check · business-central-en",
            "bc",
            ("tags", "auto", "--check"),
            exit_codes=(0, 1),
        ),
        Benchmark(
            "tags matrix --with-rules · business-central-en",
            "bc",
            ("tags", "matrix", "--with-rules", "--format", "json"),
        ),
        Benchmark(
            "peer: articles --format json · business-central-en",
            "bc",
            ("articles", "--format", "json"),
            peer=True,
        ),
        Benchmark(f"tags auto · {big}", "kb", ("tags", "auto")),
        Benchmark(f"tags matrix --by locale · {big}", "kb", ("tags", "matrix", "--by", "locale")),
        Benchmark(
            f"peer: articles --format json · {big}",
            "kb",
            ("articles", "--format", "json"),
            peer=True,
        ),
    ]


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
        """Median CPU seconds (user + system): less sensitive than wall time to a busy machine."""
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def peak_rss_mib(self) -> float:
        return max(r.max_rss_kib for r in self.runs) / 1024


def _rules_text() -> str:
    """The `[[tags.rules]]` of the Business Central config, to add to the big base's config."""
    text = BC_CONFIG.read_text(encoding="utf-8")
    start = text.index("[[tags.rules]]")
    return text[start:]


def run_all(
    bases: dict[str, list[str]], chosen: Sequence[Benchmark], *, repeat: int, progress: bool
) -> list[Result]:
    results = [Result(b) for b in chosen]
    env = child_env()
    env.pop("NO_COLOR", None)
    env["COLUMNS"] = "200"
    for round_ in range(repeat + 1):
        for result in results:
            bench = result.benchmark
            if progress:
                label = "warm-up" if round_ == 0 else f"run {round_}/{repeat}"
                print(f"  {label}: {bench.name}", file=sys.stderr, end="\x1b[K\r")
            with tempfile.TemporaryDirectory(prefix="kbtool-bench-") as tmp:
                out = Path(tmp) / "out"
                command = [*_kbtool(), *bases[bench.base], *bench.args, "-o", str(out)]
                run = measure(command, env=env)
            if run.returncode not in bench.exit_codes:
                raise SystemExit(
                    f"tags: {bench.name} failed with exit code {run.returncode}:\n"
                    f"{run.stderr.strip()}"
                )
            if round_ == 0:
                result.summary = _summary(run)
            else:
                result.runs.append(run)
    if progress:
        print("\x1b[K", file=sys.stderr, end="")
    return results


def _summary(run: Measurement) -> str:
    for line in (run.stderr + "\n" + run.stdout).splitlines():
        if "would change" in line or "changed" in line:
            return line.strip()
    return ""


def environment(repeat: int, n: int) -> dict[str, Any]:
    import kbtool

    return {
        "date": dt.date.today().isoformat(),
        "articles": n,
        "repeat": repeat,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "kbtool": kbtool.__version__,
    }


def print_table(results: Sequence[Result], env: dict[str, Any], target: float) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=max(Console().width, 110))
    table = Table(
        title=f"kbtool tags: {env['repeat']} runs each, fresh processes, warm page cache",
        caption=f"{env['date']} · {env['cpus']} CPUs {env['machine']} · load "
        f"{env['load_average']:.1f} · Python {env['python']} · kbtool {env['kbtool']}",
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
        if result.benchmark.target:
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time kbtool tags auto and tags matrix.")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="articles in the big base")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs each (default 5)")
    parser.add_argument("--no-big", action="store_true", help="only business-central-en")
    parser.add_argument("--target", type=float, default=TARGET_SECONDS)
    parser.add_argument("--json", type=Path, default=None, help="also write results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    bc = default_corpora() / "business-central-en"
    if not bc.is_dir():
        raise SystemExit(f"tags: {bc} not found (set KBTOOL_CORPORA)")
    bases = {"bc": ["--config", str(BC_CONFIG), "-C", str(bc)]}
    chosen = [b for b in benchmarks(args.n) if not (args.no_big and b.base == "kb")]
    with tempfile.TemporaryDirectory(prefix="kbtool-bench-tags-") as tmp:
        if not args.no_big:
            kb = corpus_folder(args.n)
            config = Path(tmp) / "kbtool.toml"
            base = (kb / "kbtool.toml").read_text(encoding="utf-8")
            config.write_text(base + "\n" + _rules_text(), encoding="utf-8")
            bases["kb"] = ["--config", str(config), "-C", str(kb)]
        results = run_all(bases, chosen, repeat=args.repeat, progress=sys.stderr.isatty())
    env = environment(args.repeat, args.n)
    print_table(results, env, args.target)
    target = next(r for r in results if r.benchmark.target)
    if args.json:
        payload = {
            "environment": env,
            "target": {"benchmark": target.benchmark.name, "seconds": args.target,
                       "pass": target.median < args.target},
            "results": [
                {"benchmark": r.benchmark.name, "seconds": [round(x.seconds, 4) for x in r.runs],
                 "min": round(r.best, 4), "median": round(r.median, 4),
                 "cpu_median": round(r.cpu, 4),
                 "peak_rss_mib": round(r.peak_rss_mib, 1), "summary": r.summary}
                for r in results
            ],
        }  # fmt: skip
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 1 if args.check and target.median >= args.target else 0


if __name__ == "__main__":
    sys.exit(main())
