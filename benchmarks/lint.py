"""Time `kbtool lint` against markdownlint-cli2 on a knowledge base of N articles.

    python benchmarks/lint.py                     # 10,000 articles, 3 timed rounds
    python benchmarks/lint.py --n 2000 --repeat 5
    python benchmarks/lint.py --json lint.json --check

Builds (or reuses) the knowledge base of `make_corpus.py` and copies it to a
private working folder (the benchmark deletes the lint cache and edits an
article, which must not disturb other work reading the shared one). Each round
then runs, each command in a fresh process:

- `kbtool lint (cold cache)`: `.kbtool/` deleted first; every article parsed
  and linted, the cache written.
- `kbtool lint (warm, unchanged)`: again, nothing changed: answered from the cache.
- `kbtool lint (one file changed)`: a sentence appended to one article's body
  (restored afterwards): that article re-linted, corpus rules re-run.
- `markdownlint-cli2 (all rules)`: markdownlint-cli2 0.22.x from npm, with
  markdownlint's default rule set (every rule on, `markdownlint/.markdownlint-cli2.jsonc`),
  on the same files (`articles/**/*.md`). It has no cache: every run is cold.
- peer, for scale: `markdownlint-cli2, one file`: Node start-up plus one article.

kbtool writes `--format json -o FILE`; markdownlint-cli2 writes its findings
to stderr, which goes to a file. Exit code 1 (findings) is expected of both.
markdownlint-cli2 is installed with `npm install --prefix` into
`$TMPDIR/kbtool-bench/node` on first use (never into the repository); the
benchmark stops with a clear message when neither it nor npm is there, unless
`--no-markdownlint` is given.

Wall time runs from spawning the process to reaping it; CPU time (user +
system) and the largest process's peak RSS come from the child's own
`os.wait4` usage, which covers the worker processes it waited for. kbtool
lints in several processes, so on Linux the benchmark also samples the
proportional set size (PSS) of the whole process tree: the memory all of
kbtool's processes hold at once, shared pages counted once. It samples ten
times a second, or less often when sampling would take more than 5% of one core
(reading PSS of large processes is not free), so a peak shorter than the
interval can be missed. The memory target applies to the larger of the two
figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import (
    BENCH_DIR,
    CACHE_ROOT,
    REPO_ROOT,
    child_env,
    corpus_folder,
    git_env,
    rss_floor_kib,
)
from make_corpus import DEFAULT_N

TARGET_RATIO = 1.0  # cold kbtool lint / markdownlint-cli2, medians
TARGET_WARM_SECONDS = 1.0
TARGET_CHANGED_SECONDS = 1.5
TARGET_MEMORY_MIB = 1024.0

COLD = "kbtool lint (cold cache)"
WARM = "kbtool lint (warm, unchanged)"
CHANGED = "kbtool lint (one file changed)"
MDL = "markdownlint-cli2 (all rules)"
MDL_ONE = "peer: markdownlint-cli2, one file"

MARKDOWNLINT_DIR = BENCH_DIR / "markdownlint"
MARKDOWNLINT_CONFIG = MARKDOWNLINT_DIR / ".markdownlint-cli2.jsonc"
NODE_PREFIX = CACHE_ROOT / "node"
ARTICLES_GLOB = "articles/**/*.md"
APPENDED = "This sentence was appended by the lint benchmark to change one article."

# Reads kbtool's JSON report in a child: parsing tens of megabytes here would raise
# this process's peak RSS, which Linux carries over into every later child's.
_KBTOOL_SUMMARY = """\
import json, sys
report = json.load(open(sys.argv[1], encoding="utf-8"))
summary = report["summary"]
print(json.dumps({"files": summary["files"], "findings": summary["problems"],
                  "rules": len(report["rules"]), "by_severity": summary["by_severity"]}))
"""

# markdownlint's rule list (not exported by the package, so imported by path):
# the names and aliases of each rule, to count those the configuration enables.
_MARKDOWNLINT_RULES = """\
const rules = (await import(process.argv[1])).default;
console.log(JSON.stringify(rules.map((rule) => rule.names)));
"""

# One finding of markdownlint-cli2's default formatter: `path:line[:column] error MD013/...`.
_MDL_FINDING = re.compile(rb":\d+(?::\d+)? (?:error|warning) MD\d{3}/")


@dataclass(frozen=True)
class Run:
    """One run of a child process."""

    seconds: float  # wall time, from spawning the process to reaping it
    cpu_seconds: float  # user + system of the child and the children it waited for
    max_rss_kib: int  # peak RSS of the largest of those processes
    tree_kib: int | None  # peak sampled PSS of the whole process tree (Linux), else None
    returncode: int


class _TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and its descendants until stopped.

    Runs while the main thread is blocked in `os.wait4`, so the wall time is not
    rounded up to the sampling interval. PSS splits each shared page between the
    processes sharing it, so forked workers are not counted twice for the memory
    they share with their parent. Reading it walks each process's page tables
    (≈ 10 ms for a 300 MB process), so the interval stretches to keep the
    sampler under `budget` of one core: on a 2-core machine a sampler at a
    fixed 10 Hz would take a noticeable share of the CPU the linter is using.
    """

    def __init__(self, root: int, interval: float = 0.1, budget: float = 0.05):
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.budget = budget
        self.peak_kib = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            start = time.thread_time()
            self.peak_kib = max(self.peak_kib, self._sample())
            self.samples += 1
            cost = time.thread_time() - start
            if self._stop_event.wait(max(self.interval, cost / self.budget)):
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def _sample(self) -> int:
        children: dict[int, list[int]] = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as file:
                    stat = file.read()
            except OSError:
                continue
            # The command name may hold spaces and parentheses: fields follow the last ')'.
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(name))
        total = 0
        todo = [self.root]
        while todo:
            pid = todo.pop()
            total += _pss_kib(pid)
            todo.extend(children.get(pid, ()))
        return total


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as file:
            for line in file:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:  # kernels before 4.14 have no smaps_rollup: RSS, shared pages counted per process
        with open(f"/proc/{pid}/status", "rb") as file:
            for line in file:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str], stdout: Path, stderr: Path
) -> Run:
    """Run `command` to completion, its output to files (never read into this process)."""
    sample = sys.platform.startswith("linux") and Path("/proc/self/stat").exists()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(command), cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        sampler = _TreeSampler(process.pid) if sample else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if sampler is not None:
            sampler.stop()
        # Tell Popen the child is gone so that it does not try to reap it again.
        process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    max_rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return Run(
        seconds,
        usage.ru_utime + usage.ru_stime,
        max_rss,
        sampler.peak_kib if sampler is not None else None,
        process.returncode,
    )


# --- markdownlint-cli2 -----------------------------------------------------------------


@dataclass(frozen=True)
class Markdownlint:
    command: tuple[str, ...]  # node and markdownlint-cli2's entry point
    version: str
    markdownlint_version: str
    node_version: str
    rules: int  # rules the configuration enables
    rules_total: int


def _jsonc(text: str) -> Any:
    """Our JSONC config: comments are whole lines starting with `//`."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    return json.loads("\n".join(lines))


def _package_version(folder: Path) -> str:
    data = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    return str(data["version"])


def install_markdownlint(prefix: Path) -> Markdownlint:
    """markdownlint-cli2 as pinned in `markdownlint/package.json`, installed under `prefix`.

    Installs (`npm install --prefix`) when it is missing or `package.json` changed.
    """
    wanted = (MARKDOWNLINT_DIR / "package.json").read_text(encoding="utf-8")
    installed = prefix / "package.json"
    package = prefix / "node_modules" / "markdownlint-cli2"
    node = shutil.which("node")
    if node is None:
        raise SystemExit(
            "lint: Node.js is not on PATH; markdownlint-cli2 0.22.x needs Node 20 or later "
            "(or run with --no-markdownlint to time kbtool alone)"
        )
    current = installed.read_text(encoding="utf-8") if installed.is_file() else None
    if current != wanted or not (package / "package.json").is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit(
                f"lint: markdownlint-cli2 is not installed in {prefix} and npm is not on PATH: "
                "install Node.js 20 with npm (or run with --no-markdownlint to time kbtool alone)"
            )
        print(f"lint: installing markdownlint-cli2 into {prefix} (npm)", file=sys.stderr)
        prefix.mkdir(parents=True, exist_ok=True)
        installed.write_text(wanted, encoding="utf-8")
        done = subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-save"],
            cwd=prefix,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not (package / "package.json").is_file():
            installed.unlink(missing_ok=True)  # so the next run tries again
            raise SystemExit(
                f"lint: npm install of markdownlint-cli2 into {prefix} failed "
                f"(exit code {done.returncode}):\n{done.stdout.strip()}"
            )
    markdownlint = prefix / "node_modules" / "markdownlint"
    names = json.loads(
        subprocess.run(
            [
                node,
                "--input-type=module",
                "-e",
                _MARKDOWNLINT_RULES,
                "--",
                (markdownlint / "lib" / "rules.mjs").as_uri(),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    node_version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return Markdownlint(
        command=(node, str(package / "markdownlint-cli2-bin.mjs")),
        version=_package_version(package),
        markdownlint_version=_package_version(markdownlint),
        node_version=node_version.removeprefix("v"),
        rules=_enabled_rules(names, _jsonc(MARKDOWNLINT_CONFIG.read_text(encoding="utf-8"))),
        rules_total=len(names),
    )


def _enabled_rules(names: Sequence[Sequence[str]], options: Mapping[str, Any]) -> int:
    """How many rules a markdownlint `config` enables: by name or alias, else `default`.

    Tags (`"headings": false`) are not resolved: the benchmark's config has none.
    """
    config = {key.upper(): value for key, value in options.get("config", {}).items()}
    default = bool(config.get("DEFAULT", True))
    enabled = 0
    for aliases in names:
        setting = next((config[a.upper()] for a in aliases if a.upper() in config), default)
        enabled += bool(setting)
    return enabled


def count_markdownlint(stderr: Path) -> dict[str, Any]:
    """Findings in markdownlint-cli2's default output, read line by line."""
    findings = 0
    with stderr.open("rb") as lines:
        for line in lines:
            findings += _MDL_FINDING.search(line) is not None
    return {"findings": findings}


# --- the benchmark ---------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    name: str
    command: Callable[[Path], list[str]]  # scratch folder -> argv, run in the knowledge base
    counts: Callable[[Path], dict[str, Any]]  # scratch folder -> files, findings, rules
    kbtool: bool = True
    peer: bool = False


@dataclass
class Result:
    benchmark: Benchmark
    runs: list[Run] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

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

    @property
    def tree_mib(self) -> float | None:
        sampled = [run.tree_kib for run in self.runs if run.tree_kib is not None]
        return max(sampled) / 1024 if sampled else None

    @property
    def memory_mib(self) -> float:
        """The memory figure the target is judged on: the larger of the two."""
        return max(self.peak_rss_mib, self.tree_mib or 0.0)


def _kbtool() -> list[str]:
    """The `kbtool` console script of this interpreter's environment, else `-m kbtool`."""
    script = Path(sys.executable).with_name("kbtool")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kbtool"]


def _kbtool_lint(kb: Path, name: str, jobs: int | None) -> Callable[[Path], list[str]]:
    extra = ["--jobs", str(jobs)] if jobs else []
    return lambda scratch: [
        *_kbtool(), "-C", str(kb), "lint", "--format", "json", "-o",
        str(scratch / f"{name}.json"), *extra,
    ]  # fmt: skip


def _kbtool_counts(name: str) -> Callable[[Path], dict[str, Any]]:
    def counts(scratch: Path) -> dict[str, Any]:
        summary = subprocess.run(
            [sys.executable, "-c", _KBTOOL_SUMMARY, str(scratch / f"{name}.json")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        data: dict[str, Any] = json.loads(summary)
        return data

    return counts


def benchmarks(
    kb: Path, markdownlint: Markdownlint | None, one_file: str, files: int, jobs: int | None
) -> list[Benchmark]:
    chosen = [
        Benchmark(COLD, _kbtool_lint(kb, "cold", jobs), _kbtool_counts("cold")),
        Benchmark(WARM, _kbtool_lint(kb, "warm", jobs), _kbtool_counts("warm")),
        Benchmark(CHANGED, _kbtool_lint(kb, "changed", jobs), _kbtool_counts("changed")),
    ]
    if markdownlint is not None:
        mdl = [*markdownlint.command, "--config", str(MARKDOWNLINT_CONFIG)]

        def all_counts(scratch: Path) -> dict[str, Any]:
            counted = count_markdownlint(scratch / f"{MDL}.stderr")
            return {"files": files, "rules": markdownlint.rules, **counted}

        def one_counts(scratch: Path) -> dict[str, Any]:
            counted = count_markdownlint(scratch / f"{MDL_ONE}.stderr")
            return {"files": 1, "rules": markdownlint.rules, **counted}

        chosen += [
            # Quoted globs are expanded by markdownlint-cli2 (globby), as its docs advise.
            Benchmark(MDL, lambda scratch: [*mdl, ARTICLES_GLOB], all_counts, kbtool=False),
            # `:` marks a literal path, not a glob.
            Benchmark(
                MDL_ONE,
                lambda scratch: [*mdl, ":" + one_file],
                one_counts,
                kbtool=False,
                peer=True,
            ),
        ]
    return chosen


def copy_knowledge_base(source: Path) -> Path:
    """A private copy of `source` (without its `.kbtool/` cache) to lint and edit."""
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"lint-{source.name}-", dir=CACHE_ROOT))
    target = work / "kb"
    shutil.copytree(
        source,
        target,
        symlinks=True,
        ignore=lambda folder, names: [".kbtool"] if Path(folder) == source else [],
    )
    return target


def pick_article(kb: Path) -> Path:
    """The article whose body the `one file changed` run edits: a fixed, ordinary one."""
    candidates = sorted((kb / "articles" / "en").rglob("*.md")) or sorted(
        (kb / "articles").rglob("*.md")
    )
    if not candidates:
        raise SystemExit(f"lint: no articles in {kb / 'articles'}")
    return candidates[len(candidates) // 2]


def appended(original: bytes) -> bytes:
    """`original` with one more paragraph at the end, in the file's own line endings."""
    newline = b"\r\n" if b"\r\n" in original else b"\n"
    text = original if original.endswith(newline) or not original else original + newline
    return text + newline + APPENDED.encode() + newline


def warm_up(kb: Path, bench: Sequence[Benchmark], article: str, env: Mapping[str, str]) -> None:
    """Page cache and bytecode warm, without a full (minute-long) untimed round."""
    for path in kb.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            path.read_bytes()
    commands = [[*_kbtool(), "-C", str(kb), "lint", "--no-cache", "--format", "json", article]]
    commands += [b.command(kb) for b in bench if b.name == MDL_ONE]
    for command in commands:
        done = subprocess.run(command, cwd=kb, env=dict(env), capture_output=True, check=False)
        if done.returncode not in (0, 1):
            raise SystemExit(
                f"lint: warm-up {' '.join(command)} failed with exit code {done.returncode}:\n"
                + done.stderr.decode("utf-8", "replace").strip()
            )


def run_benchmarks(
    kb: Path,
    bench: Sequence[Benchmark],
    *,
    article: Path,
    repeat: int,
    progress: bool,
) -> list[Result]:
    """`repeat` rounds of: cold, warm, one change (then restored), markdownlint-cli2.

    Rounds rather than each benchmark `repeat` times in a row, so that a slow spell
    of the shared machine spreads over every benchmark instead of landing on one.
    """
    results = [Result(b) for b in bench]
    env = child_env()
    original = article.read_bytes()
    changed = appended(original)
    with tempfile.TemporaryDirectory(prefix="kbtool-bench-lint-") as tmp:
        scratch = Path(tmp)
        warm_up(kb, bench, article.relative_to(kb).as_posix(), env)
        for round_ in range(1, repeat + 1):
            for result in results:
                name = result.benchmark.name
                if progress:
                    print(f"  run {round_}/{repeat}: {name}", file=sys.stderr, end="\x1b[K\r")
                if name == COLD:
                    shutil.rmtree(kb / ".kbtool", ignore_errors=True)
                if name == CHANGED:
                    article.write_bytes(changed)
                try:
                    run = measure(
                        result.benchmark.command(scratch),
                        cwd=kb,
                        env=env,
                        stdout=scratch / f"{name}.stdout",
                        stderr=scratch / f"{name}.stderr",
                    )
                finally:
                    if name == CHANGED:
                        article.write_bytes(original)
                if run.returncode not in (0, 1):
                    stderr = (scratch / f"{name}.stderr").read_text("utf-8", "replace")
                    raise SystemExit(
                        f"lint: {name} failed with exit code {run.returncode}:\n"
                        + stderr.strip()[-4000:]
                    )
                counts = result.benchmark.counts(scratch)
                if not result.runs:
                    result.counts = counts
                elif counts != result.counts:
                    result.notes.append(f"run {round_} found {counts}, run 1 {result.counts}")
                result.runs.append(run)
    if progress:
        print("\x1b[K", file=sys.stderr, end="")
    _check_consistency(results)
    return results


def _check_consistency(results: Sequence[Result]) -> None:
    """A warm run must report exactly what the cold run did: else the cache is wrong."""
    by_name = {r.benchmark.name: r for r in results}
    cold, warm = by_name.get(COLD), by_name.get(WARM)
    if cold and warm and cold.counts != warm.counts:
        warm.notes.append(f"differs from the cold run: {warm.counts} vs {cold.counts}")


# --- verdicts and output ---------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    passed: bool | None  # None: could not be judged


def verdicts(results: Sequence[Result]) -> list[Verdict]:
    by_name = {r.benchmark.name: r for r in results}
    out: list[Verdict] = []
    cold, mdl = by_name[COLD], by_name.get(MDL)
    if mdl is not None:
        ratio = cold.median / mdl.median
        out.append(
            Verdict(
                f"cold lint / markdownlint-cli2 ≤ {TARGET_RATIO:g} (medians)",
                f"{ratio:.2f} ({cold.median:.2f} s / {mdl.median:.2f} s)",
                ratio <= TARGET_RATIO,
            )
        )
        ours, theirs = cold.counts.get("rules", 0), mdl.counts.get("rules", 0)
        out.append(Verdict("while running more rules", f"{ours} vs {theirs} rules", ours > theirs))
    else:
        out.append(Verdict("cold lint / markdownlint-cli2", "not run (--no-markdownlint)", None))
    for name, what, target in (
        (WARM, "warm run, nothing changed", TARGET_WARM_SECONDS),
        (CHANGED, "run after one file changed", TARGET_CHANGED_SECONDS),
    ):
        result = by_name[name]
        out.append(
            Verdict(
                f"{what} < {target:g} s (median)", f"{result.median:.2f} s", result.median < target
            )
        )
    ours_memory = [r for r in results if r.benchmark.kbtool]
    worst = max(ours_memory, key=lambda r: r.memory_mib)
    out.append(
        Verdict(
            f"peak memory < {TARGET_MEMORY_MIB / 1024:g} GiB (all processes)",
            f"{worst.memory_mib:,.0f} MiB, {worst.benchmark.name.split('(')[-1].rstrip(')')}",
            worst.memory_mib < TARGET_MEMORY_MIB,
        )
    )
    return out


def _git_describe() -> str:
    done = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty"],
        env=git_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "?"


def environment(
    source: Path, kb: Path, repeat: int, markdownlint: Markdownlint | None, article: Path
) -> dict[str, Any]:
    import kbtool

    git_version = (
        subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
        .stdout.strip()
        .removeprefix("git version ")
    )
    manifest = source / ".kbtool-bench.json"
    n = json.loads(manifest.read_text()).get("articles") if manifest.is_file() else None
    env: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "articles": n,
        "repeat": repeat,
        "knowledge_base": str(source),
        "changed_article": article.relative_to(kb).as_posix(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "git": git_version,
        "kbtool": kbtool.__version__,
        "kbtool_commit": _git_describe(),
    }
    if markdownlint is not None:
        env.update(
            node=markdownlint.node_version,
            markdownlint_cli2=markdownlint.version,
            markdownlint=markdownlint.markdownlint_version,
            markdownlint_rules=f"{markdownlint.rules} of {markdownlint.rules_total}",
        )
    return env


def _mark(passed: bool | None) -> str:
    return {True: "[green]PASS[/]", False: "[red]FAIL[/]", None: "-"}[passed]


def print_table(results: Sequence[Result], env: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    # Not squeezed into 80 columns when piped into a file.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
    floor = env["rss_floor_mib"]
    n = f"{env['articles']:,}" if env["articles"] else "?"
    tools = f"kbtool {env['kbtool']} ({env['kbtool_commit']})"
    if "markdownlint_cli2" in env:
        tools += (
            f" · markdownlint-cli2 {env['markdownlint_cli2']} (markdownlint "
            f"{env['markdownlint']}) · Node {env['node']}"
        )
    table = Table(
        title=f"Linting {n} articles: {env['repeat']} runs each, fresh processes, warm page cache",
        caption=f"{env['date']} · {env['cpus']} CPUs {env['machine']} · Python "
        f"{env['python']} · {tools} · load average {env['load_average'][0]:.2f} before, "
        f"{env['load_average'][1]:.2f} after",
    )
    for name, justify in (
        ("benchmark", "left"),
        ("min s", "right"),
        ("median s", "right"),
        ("CPU s", "right"),
        ("peak RSS MiB", "right"),
        ("all procs MiB", "right"),
        ("rules", "right"),
        ("files", "right"),
        ("findings", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for result in results:
        counts = result.counts
        tree = result.tree_mib
        table.add_row(
            ("[dim]" if result.benchmark.peer else "") + result.benchmark.name,
            f"{result.best:.2f}",
            f"{result.median:.2f}",
            f"{result.median_cpu:.2f}",
            # Within a MiB of the floor the figure may be this process's, not the child's.
            f"{result.peak_rss_mib:,.0f}"
            if result.peak_rss_mib > floor + 1
            else f"≤ {floor + 1:.0f}",
            "-" if tree is None else f"{tree:,.0f}",
            str(counts.get("rules", "-")),
            f"{counts['files']:,}" if "files" in counts else "-",
            f"{counts['findings']:,}" if "findings" in counts else "-",
            end_section=result.benchmark.name == CHANGED,
        )
    console.print(table)
    targets = Table(title="Targets")
    targets.add_column("target")
    targets.add_column("measured", justify="right")
    targets.add_column("", justify="center")
    for verdict in verdicts(results):
        targets.add_row(verdict.target, verdict.measured, _mark(verdict.passed))
    console.print(targets)
    by_name = {r.benchmark.name: r for r in results}
    if MDL in by_name:
        cold, mdl = by_name[COLD], by_name[MDL]
        console.print(
            f"cold ratio by min {cold.best / mdl.best:.2f}, by CPU time "
            f"{cold.median_cpu / mdl.median_cpu:.2f} (kbtool uses every core, "
            "markdownlint-cli2 one)"
        )
    for result in results:
        for note in result.notes:
            console.print(f"[yellow]note[/]: {result.benchmark.name}: {note}")
    console.print(
        f"knowledge base: a copy of {env['knowledge_base']}; changed article: "
        f"{env['changed_article']}; peak RSS cannot be measured below {floor:.0f} MiB "
        "(this process's own); all procs = sampled PSS of the process tree",
        style="dim",
    )


def to_json(results: Sequence[Result], env: dict[str, Any]) -> dict[str, Any]:
    return {
        "environment": env,
        "targets": [
            {"target": v.target, "measured": v.measured, "pass": v.passed}
            for v in verdicts(results)
        ],
        "results": [
            {
                "benchmark": r.benchmark.name,
                "seconds": [round(s, 4) for s in r.seconds],
                "min": round(r.best, 4),
                "median": round(r.median, 4),
                "median_cpu": round(r.median_cpu, 4),
                "peak_rss_mib": round(r.peak_rss_mib, 1),
                "tree_pss_mib": None if r.tree_mib is None else round(r.tree_mib, 1),
                "notes": r.notes,
                **r.counts,
            }
            for r in results
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time kbtool lint (cold, warm, one change) against markdownlint-cli2."
    )
    parser.add_argument(
        "--n", type=int, default=DEFAULT_N, help=f"number of articles (default {DEFAULT_N:,})"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument(
        "--kb",
        type=Path,
        default=None,
        help="lint (a copy of) this knowledge base instead of building one",
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the knowledge base")
    parser.add_argument(
        "--jobs", type=int, default=None, help="kbtool lint --jobs (default: kbtool's, all cores)"
    )
    parser.add_argument(
        "--no-markdownlint",
        action="store_true",
        help="time kbtool alone (no Node.js needed; no ratio)",
    )
    parser.add_argument(
        "--node-prefix",
        type=Path,
        default=NODE_PREFIX,
        help=f"where markdownlint-cli2 is installed (default {NODE_PREFIX})",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the working copy of the knowledge base"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    progress = sys.stderr.isatty()
    markdownlint = (
        None if args.no_markdownlint else install_markdownlint(args.node_prefix.absolute())
    )
    source = args.kb.absolute() if args.kb else corpus_folder(args.n, fresh=args.fresh)
    kb = copy_knowledge_base(source)
    try:
        files = sum(1 for _ in (kb / "articles").rglob("*.md"))
        article = pick_article(kb)
        bench = benchmarks(kb, markdownlint, article.relative_to(kb).as_posix(), files, args.jobs)
        # Other work on the machine inflates wall times (CPU times much less): say so.
        load_before = os.getloadavg()[0]
        results = run_benchmarks(kb, bench, article=article, repeat=args.repeat, progress=progress)
        env = environment(source, kb, args.repeat, markdownlint, article)
        env["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        env["rss_floor_mib"] = round(rss_floor_kib() / 1024, 1)
    finally:
        if args.keep:
            print(f"working copy kept: {kb}", file=sys.stderr)
        else:
            shutil.rmtree(kb.parent, ignore_errors=True)
    print_table(results, env)
    if args.json:
        args.json.write_text(json.dumps(to_json(results, env), indent=2) + "\n", encoding="utf-8")
    missed = any(v.passed is False for v in verdicts(results))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
