"""Build a knowledge base of N real articles in a git repository, for benchmarks.

    python benchmarks/make_corpus.py 10000            # prints the folder it built or reused
    python benchmarks/make_corpus.py 2000 --out /tmp/kb --locales en
    python benchmarks/make_corpus.py 10000 --fresh    # rebuild even if cached
    python benchmarks/make_corpus.py 10000 --translated   # 10,000 sources x 3 locales

The articles are the shared real corpora (`../shared/corpora`, or
`$KBTOOL_CORPORA`), byte for byte, front matter and quirks included (CRLF, BOM,
broken YAML): Business Central (en) and the Adobe Commerce knowledge base (en,
de-de, ja-jp). They are copied round-robin into
`articles/<locale>/<product>/<folders>/<stem>.md` until there are N; the k-th
repeat of a file is named `<stem>-c<k>.md`, so ids (file stems) stay unique per
locale, and a Commerce article and its translations keep one relative path.

The repository has a fixed history: 20 commits dated 2021-01-15 to 2026-10-15,
each adding a slice of the articles; a third of the articles are first
committed as a shortened draft and completed in a later commit, so first and
last commit dates differ. Author, dates and git settings are fixed, so two
builds of the same N give the same commits.

With `--translated` the knowledge base is multilingual the way a translated
help center is: N English Commerce articles, each with its German and Japanese
translation at the same path (about 3 x N files), plus the German corpus's
leftover translations of deleted English articles (orphans), repeated alike.
Translations are committed with their source's first version, so a source
completed later (one in three) leaves its translations stale by git.

Without `--out` the knowledge base is cached in `$TMPDIR/kbtool-bench/kb-<N>`
and reused while its manifest matches what would be built.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from common import CACHE_ROOT, default_corpora, git

__all__ = ["DEFAULT_LOCALES", "build_corpus", "default_output"]

# Bump when what gets built changes, so cached knowledge bases are rebuilt.
BUILD_VERSION = 2
DEFAULT_N = 10_000
DEFAULT_LOCALES = ("en", "de-de", "ja-jp")
COMMITS = 20
FIRST_COMMIT = dt.datetime(2021, 1, 15, 9, 30, tzinfo=dt.UTC)
LAST_COMMIT = dt.datetime(2026, 10, 15, 9, 30, tzinfo=dt.UTC)
# One article in DRAFT_EVERY is first committed as a draft and completed later.
DRAFT_EVERY = 3
SEED = 20260101
MANIFEST = ".kbtool-bench.json"

CONFIG_TEMPLATE = """\
# Benchmark knowledge base built by benchmarks/make_corpus.py from the shared
# corpora; maps the Microsoft Learn keys of Business Central to kbtool's fields.

[kb]
name = "kbtool benchmark ({n:,} articles)"
locales = [{locales}]
default_locale = "{default_locale}"

[fields]
last_reviewed = ["last_reviewed", "ms.date"]
date_formats = ["%Y-%m-%d", "%m/%d/%Y"]
type = ["type", "ms.topic"]
labels = ["labels", "ms.search.keywords"]
owner = ["owner", "ms.author"]
review_every = ["review_every", "ms.update-cycle"]
"""


@dataclass(frozen=True)
class Source:
    """One article of the shared corpora."""

    locale: str
    product: str  # folder under the locale folder: `business-central` or `commerce`
    root: Path  # the product's folder in the corpora
    rel: PurePosixPath  # path inside `root`


@dataclass(frozen=True)
class Planned:
    """One article of the knowledge base to build and the commits that touch it."""

    source: Source
    target: PurePosixPath  # relative to the knowledge-base root
    added: int  # index of the commit that adds it
    completed: int  # index of the commit from which it has its final bytes


def find_sources(corpora: Path, locales: Sequence[str]) -> list[Source]:
    """The articles of the shared corpora in `locales`: no `includes/` fragments, no TOCs."""
    products = [("en", "business-central", corpora / "business-central-en" / "business-central")]
    products += [
        (locale, "commerce", corpora / "commerce-kb" / locale / "help")
        for locale in ("en", "de-de", "ja-jp")
    ]
    sources = []
    for locale, product, root in products:
        if locale not in locales:
            continue
        if not root.is_dir():
            raise SystemExit(f"make_corpus: corpus folder not found: {root}")
        for path in sorted(root.rglob("*.md")):
            rel = PurePosixPath(path.relative_to(root).as_posix())
            if rel.name == "TOC.md" or "includes" in rel.parts[:-1]:
                continue
            sources.append(Source(locale, product, root, rel))
    if not sources:
        raise SystemExit(f"make_corpus: no articles for locales {', '.join(locales)}")
    return sources


def unique_stems(sources: Sequence[Source]) -> dict[tuple[str, PurePosixPath], str]:
    """A file stem per (product, path), unique across the whole knowledge base.

    Business Central repeats names across its country folders (`finance.md`); a
    later duplicate gets its folder's name appended. Translations share their
    path, so they share the stem and stay linked.
    """
    stems: dict[tuple[str, PurePosixPath], str] = {}
    taken: set[str] = set()
    for key in sorted({(s.product, s.rel) for s in sources}):
        product, rel = key
        stem = rel.stem
        if stem.lower() in taken:
            folder = rel.parent.name.lower() if rel.parent.name else product
            stem = f"{rel.stem}-{folder}"
            number = 2
            while stem.lower() in taken:
                stem = f"{rel.stem}-{folder}-{number}"
                number += 1
        taken.add(stem.lower())
        stems[key] = stem
    return stems


def plan(sources: Sequence[Source], n: int, commits: int = COMMITS) -> list[Planned]:
    """N articles copied round-robin from `sources` in a fixed shuffled order."""
    pool = list(sources)
    random.Random(SEED).shuffle(pool)
    stems = unique_stems(pool)
    planned = []
    for i in range(n):
        copy, index = divmod(i, len(pool))
        source = pool[index]
        stem = stems[(source.product, source.rel)] + (f"-c{copy}" if copy else "")
        target = (
            PurePosixPath("articles", source.locale, source.product)
            / source.rel.parent
            / f"{stem}.md"
        )
        added = i * commits // n
        completed = added
        if i % DRAFT_EVERY == 0 and added < commits - 1:
            completed = added + 1 + (i // DRAFT_EVERY) % (commits - 1 - added)
        planned.append(Planned(source, target, added, completed))
    targets = {p.target.as_posix().lower() for p in planned}
    assert len(targets) == n, "article paths must be unique"
    return planned


def plan_translated(sources: Sequence[Source], n: int, commits: int = COMMITS) -> list[Planned]:
    """N Commerce source articles (the first locale) with their translations at the same path.

    Each source and its translations are added in one commit; one source in
    `DRAFT_EVERY` is completed in a later commit, which makes its translations
    stale. Files of other locales without a source (orphans) come along with
    every copy, added in the same commits as their neighbours.
    """
    commerce = [s for s in sources if s.product == "commerce"]
    source_locale = commerce[0].locale if commerce else ""
    by_locale: dict[str, dict[PurePosixPath, Source]] = defaultdict(dict)
    for s in commerce:
        by_locale[s.locale][s.rel] = s
    pool = sorted(by_locale[source_locale].values(), key=lambda s: s.rel)
    if not pool:
        raise SystemExit(
            "make_corpus: --translated needs the Commerce articles of the first locale"
        )
    random.Random(SEED).shuffle(pool)
    orphans = sorted(
        (s for loc, files in by_locale.items() if loc != source_locale for s in files.values()
         if s.rel not in by_locale[source_locale]),
        key=lambda s: (s.locale, s.rel),
    )  # fmt: skip
    planned = []
    for i in range(n):
        copy, index = divmod(i, len(pool))
        source = pool[index]
        suffix = f"-c{copy}" if copy else ""
        added = i * commits // n
        completed = added
        if i % DRAFT_EVERY == 0 and added < commits - 1:
            completed = added + 1 + (i // DRAFT_EVERY) % (commits - 1 - added)
        group = [(source, completed)] + [
            (files[source.rel], added)
            for loc, files in sorted(by_locale.items())
            if loc != source_locale and source.rel in files
        ]
        if index == 0:  # a new round of copies brings the orphans along
            group += [(o, added) for o in orphans]
        for s, done in group:
            target = (
                PurePosixPath("articles", s.locale, s.product)
                / s.rel.parent
                / f"{s.rel.stem}{suffix}.md"
            )
            planned.append(Planned(s, target, added, done))
    targets = {p.target.as_posix().lower() for p in planned}
    assert len(targets) == len(planned), "article paths must be unique"
    return planned


def draft_of(raw: bytes) -> bytes:
    """An earlier version of an article: its first ~60%, cut at a line end."""
    end = raw.find(b"\n", len(raw) * 3 // 5)
    if end == -1 or end + 1 >= len(raw):
        return raw[: len(raw) // 2]
    return raw[: end + 1]


def commit_dates(commits: int = COMMITS) -> list[str]:
    """Evenly spread commit dates from FIRST_COMMIT to LAST_COMMIT, ISO 8601."""
    days = (LAST_COMMIT - FIRST_COMMIT).days
    steps = max(commits - 1, 1)
    return [
        (FIRST_COMMIT + dt.timedelta(days=round(days * c / steps))).isoformat()
        for c in range(commits)
    ]


def manifest(
    n: int, locales: Sequence[str], corpora: Path, sources: int, *, translated: bool = False
) -> dict[str, object]:
    """What a build is made of; a cached build is reused only when this matches."""
    made: dict[str, object] = {
        "version": BUILD_VERSION,
        "articles": n,
        "locales": list(locales),
        "commits": COMMITS,
        "corpora": str(corpora.resolve()),
        "sources": sources,
    }
    if translated:
        made["translated"] = True
    return made


def default_output(
    n: int, locales: Sequence[str] = DEFAULT_LOCALES, *, translated: bool = False
) -> Path:
    suffix = "" if tuple(locales) == DEFAULT_LOCALES else "-" + "-".join(locales)
    return CACHE_ROOT / f"kb-{n}{suffix}{'-translated' if translated else ''}"


def build_corpus(
    n: int = DEFAULT_N,
    *,
    out: Path | None = None,
    locales: Sequence[str] = DEFAULT_LOCALES,
    corpora: Path | None = None,
    fresh: bool = False,
    log: bool = True,
    translated: bool = False,
) -> Path:
    """Build (or reuse) a knowledge base of `n` articles; return its folder.

    With `translated`, `n` source articles each with their translations (see
    the module docstring).
    """
    if n < 1:
        raise SystemExit("make_corpus: the number of articles must be at least 1")
    corpora = corpora or default_corpora()
    out = (out or default_output(n, locales, translated=translated)).absolute()
    sources = find_sources(corpora, locales)
    wanted = manifest(n, locales, corpora, len(sources), translated=translated)
    existing = _read_manifest(out)
    if existing == wanted and not fresh:
        _say(log, f"make_corpus: reusing {out}")
        return out
    if out.exists() and existing is None and any(out.iterdir()):
        raise SystemExit(
            f"make_corpus: {out} exists and was not built by make_corpus.py; choose another --out"
        )

    start = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    # Built beside the target and moved into place, so an interrupted build
    # never leaves a half-made knowledge base that looks cached.
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        planned = plan_translated(sources, n) if translated else plan(sources, n)
        _build(work, planned, n=len(planned), locales=locales)
        (work / MANIFEST).write_text(json.dumps(wanted, indent=2) + "\n", encoding="utf-8")
        _move_into_place(work, out, wanted)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    by_locale = Counter(p.source.locale for p in planned)
    counts = ", ".join(f"{locale} {by_locale[locale]:,}" for locale in locales)
    _say(
        log,
        f"make_corpus: built {len(planned):,} articles ({counts}) in {COMMITS} commits "
        f"in {time.perf_counter() - start:.1f} s: {out}",
    )
    return out


def _build(kb: Path, planned: Sequence[Planned], *, n: int, locales: Sequence[str]) -> None:
    git(kb, "init", "--quiet")
    config = CONFIG_TEMPLATE.format(
        n=n, locales=", ".join(f'"{locale}"' for locale in locales), default_locale=locales[0]
    )
    (kb / "kbtool.toml").write_text(config, encoding="utf-8")
    (kb / ".gitignore").write_text(f".kbtool/\n{MANIFEST}\n", encoding="utf-8")

    touched: dict[int, list[Planned]] = defaultdict(list)
    for p in planned:
        touched[p.added].append(p)
        if p.completed != p.added:
            touched[p.completed].append(p)
    originals: dict[Source, bytes] = {}
    folders: set[Path] = set()
    for index, date in enumerate(commit_dates()):
        added = updated = 0
        for p in touched[index]:
            raw = originals.get(p.source)
            if raw is None:
                raw = originals[p.source] = (p.source.root / p.source.rel).read_bytes()
            path = kb / p.target
            if path.parent not in folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                folders.add(path.parent)
            path.write_bytes(raw if index == p.completed else draft_of(raw))
            if index == p.added:
                added += 1
            else:
                updated += 1
        message = f"Add {added} articles" + (f", complete {updated} drafts" if updated else "")
        git(kb, "add", "--all")
        git(kb, "commit", "--quiet", "--allow-empty", "--no-verify", "-m", message, date=date)


def _move_into_place(work: Path, out: Path, wanted: dict[str, object]) -> None:
    """Replace `out` with `work` by two renames, so `out` is missing only for a moment.

    Another benchmark may be reading the cached knowledge base, or building the
    same one: when that build lands first, its result is kept and ours dropped.
    """
    old = None
    if out.exists():
        old = out.with_name(f"{work.name}.old")
        out.rename(old)
    try:
        work.rename(out)
    except OSError:
        if _read_manifest(out) != wanted:
            raise
        shutil.rmtree(work, ignore_errors=True)
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _read_manifest(folder: Path) -> dict[str, object] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _say(enabled: bool, message: str) -> None:
    if enabled:
        print(message, file=sys.stderr)


def parse_locales(text: str) -> tuple[str, ...]:
    locales = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [locale for locale in locales if locale not in DEFAULT_LOCALES]
    if not locales or unknown:
        raise argparse.ArgumentTypeError(
            f"choose from {', '.join(DEFAULT_LOCALES)} (comma-separated)"
        )
    return locales


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build a git knowledge base of N real articles for benchmarks; "
        "print its folder.",
    )
    parser.add_argument(
        "n",
        nargs="?",
        type=int,
        default=DEFAULT_N,
        help=f"number of articles (default {DEFAULT_N:,})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="folder to build in (default: a cache "
        f"folder under {CACHE_ROOT}, reused between runs)",
    )
    parser.add_argument(
        "--locales",
        type=parse_locales,
        default=DEFAULT_LOCALES,
        help=f"comma-separated locales to include (default: {','.join(DEFAULT_LOCALES)})",
    )
    parser.add_argument(
        "--corpora",
        type=Path,
        default=None,
        help="the shared corpora folder (default: $KBTOOL_CORPORA or ../shared/corpora)",
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild even if cached")
    parser.add_argument(
        "--translated",
        action="store_true",
        help="N source articles, each with its translations in the other locales",
    )
    args = parser.parse_args(argv)
    out = build_corpus(
        args.n,
        out=args.out,
        locales=args.locales,
        corpora=args.corpora,
        fresh=args.fresh,
        translated=args.translated,
    )
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
