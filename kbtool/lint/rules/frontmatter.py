"""Front-matter rules (KB1xx): the YAML block at the top of an article and its values.

Key names go through the field mapping (`[fields]`): a repository that keeps its
review date in `ms.date` satisfies a rule about `last_reviewed` with that key,
and findings point at the line of the key the file really has.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kbtool.config import MAPPABLE_FIELDS, Config
from kbtool.corpus import Article, Corpus
from kbtool.corpus.model import Severity
from kbtool.dates import parse_date, parse_interval
from kbtool.lint.context import CorpusContext, RuleContext, relative_path
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit
from kbtool.lint.registry import Option, rule
from kbtool.taxonomy import invalid_values

# Load problems (kbtool.corpus.parse) that mean the front matter could not be used.
_UNUSABLE = ("yaml", "front-matter")
_LIST_FIELDS = ("stages", "channels", "labels")
_DATE_FIELDS = ("last_reviewed",)
_TEXT_FIELDS = tuple(f for f in MAPPABLE_FIELDS if f not in _LIST_FIELDS + _DATE_FIELDS)
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def option_list(value: object) -> list[str]:
    """A list option that may have been written as one string."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value]
    return []


def _number(value: object, fallback: float) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return fallback


def front_matter_usable(article: Article) -> bool:
    """True when the article has a front-matter block that parsed as `key: value` pairs."""
    return article.has_front_matter and not any(
        p.code in _UNUSABLE and p.severity == Severity.ERROR for p in article.problems
    )


# --------------------------------------------------------------------------- the block itself


@rule("KB101", "front-matter-invalid", severity=Severity.ERROR)
def front_matter_invalid(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The front matter cannot be read: invalid YAML, not closed, or not `key: value` pairs.

    Why: every tool then sees an article without a title, owner or review
    date, so it drops out of reviews, search and the site. The
    finding points at the line and column where the YAML parser gave up.
    Example:
    ```
    ---
    title: Error: payment declined
    ---
    ```
    Use instead: quote a value that holds `: ` or starts with a special character:
    `title: "Error: payment declined"`.
    Options: none.
    """
    for problem in article.problems:
        if problem.code in _UNUSABLE and problem.severity == Severity.ERROR:
            yield ctx.report(problem.line, problem.message, column=problem.column)


@rule("KB102", "front-matter-missing", severity=Severity.WARNING)
def front_matter_missing(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The article has no front matter, or a block that is not read as front matter.

    Why: without front matter an article has no description, owner, review date
    or taxonomy, and its title is guessed from the first heading. A block that
    does not start on line 1, or a second block after the first, is body text
    to every Markdown tool, so its keys are silently ignored.
    Example: a file that starts with `# Reset your password`, or with a blank
    line before `---`.
    Use instead:
    ```
    ---
    title: Reset your password
    description: Forgot your password? Reset it from the sign-in page.
    ---
    ```
    Options: none.
    """
    misplaced = [
        p for p in article.problems if p.code == "front-matter" and p.severity != Severity.ERROR
    ]
    for problem in misplaced:
        yield ctx.report(problem.line, problem.message, column=problem.column)
    if not article.has_front_matter and not misplaced:
        yield ctx.report(
            1,
            "no front matter: start the file with a '---' block that holds "
            "at least the title and description",
        )


@rule("KB103", "duplicate-key", severity=Severity.ERROR)
def duplicate_key(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A front-matter key appears twice.

    Why: YAML forbids it and tools disagree about which value counts: kbtool
    and most parsers take the last one, so an edit to the first has no effect.
    Example:
    ```
    title: Reset your password
    title: Reset a forgotten password
    ```
    Use instead: one `title:` line.
    Options: none.
    """
    for problem in article.problems:
        if problem.code == "duplicate-key":
            yield ctx.report(problem.line, problem.message, column=problem.column)


# --------------------------------------------------------------------------- keys


def _has_value(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return bool(value)
    return True


@rule(
    "KB104",
    "required-keys",
    severity=Severity.ERROR,
    options=(
        Option(
            "required_keys",
            ["title"],
            "Fields (canonical names, mapped through `[fields]`) or raw keys every article "
            "must have. The description is checked by KB504 unless listed here.",
        ),
    ),
)
def required_keys(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A required front-matter key is missing or empty.

    Why: the site, search and reviews depend on these values; an article without
    a title shows its file name, one without an owner is reviewed by no one.
    A mapped key counts: with `[fields] title = "pagetitle"`, `pagetitle:` is
    the title.
    Example: front matter without `title:`, or with `title: ""`.
    Use instead: `title: Reset your password`.
    Options: `required_keys` (default `["title"]`): canonical field names or raw
    keys. A missing description is reported by KB504 (missing-description), so
    by default no article gets two findings for it; list `description` here to
    make it an error of this rule instead (KB504 then stays silent).
    Articles without usable front matter are left to KB101 and KB102.
    """
    if not front_matter_usable(article):
        return
    for name in option_list(ctx.options.required_keys):
        keys = ctx.config.field_keys(name) if name in MAPPABLE_FIELDS else (name,)
        # the first key present supplies the field, as the loader reads it
        key = next((k for k in keys if k in article.meta), None)
        if key is None:
            looked = "" if keys == (name,) else f" (keys: {', '.join(keys)})"
            yield ctx.report(1, f"required key '{name}' is missing{looked}")
        elif not _has_value(article.meta[key]):
            yield ctx.report(article.key_line(key), f"required key '{key}' is empty")


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Edit distance counting a swap of neighbours as one edit; `limit + 1` once over `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def close_key(key: str, known: Sequence[str]) -> str | None:
    """The known key `key` is a misspelling of, if one is close enough.

    difflib proposes candidates; an edit-distance bound (1 edit for keys of up to
    five characters, 2 for longer ones) keeps different short keys apart.
    """
    limit = 1 if len(key) <= 5 else 2
    best: tuple[int, str] | None = None
    for candidate in difflib.get_close_matches(key, known, n=5, cutoff=0.6):
        if candidate == key:
            continue
        distance = _osa_distance(key.lower(), candidate.lower(), limit)
        if candidate.lower() == key.lower():
            distance = 0
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best else None


def configured_keys(config: Config) -> set[str]:
    """Every front-matter key the field mapping reads."""
    return {key for name in MAPPABLE_FIELDS for key in config.field_keys(name)}


def _keys(article: Article) -> tuple[str, ...]:
    return tuple(sorted(article.meta))


@rule(
    "KB105",
    "unknown-key",
    severity=Severity.WARNING,
    scope="corpus",
    census=_keys,
    options=(
        Option(
            "known_keys",
            [],
            "Front-matter keys that are always known (besides the keys the field mapping reads).",
        ),
        Option(
            "strict_keys",
            False,
            "Report every key that is not configured (mapping or "
            "`known_keys`), not only likely misspellings; the keys "
            "common in the corpus then count only if listed.",
        ),
        Option("known_key_min_count", 10, "A key used by this many articles counts as known."),
        Option(
            "known_key_min_share",
            0.02,
            "A key used by this share of the articles counts "
            "as known when that is fewer articles than "
            "`known_key_min_count` (a small knowledge base); "
            "never fewer than two.",
        ),
    ),
)
def unknown_key(corpus: Corpus, ctx: CorpusContext) -> Iterator[Diagnostic]:
    """A front-matter key that nothing reads, most likely a misspelling of a known one.

    Why: a misspelt key is silently ignored: `ms.saerch.form: 9022` connects no
    help page to form 9022, and `lables:` gives search no labels.
    A key is known when the field mapping reads it, when `known_keys` lists it,
    or when it is common in the knowledge base (used by at least
    `known_key_min_count` articles, or by `known_key_min_share` of them, and by
    two at least). Repositories carry many keys kbtool does not read
    (`ms.service`, `feature`, `role`...); those are learnt from the corpus, so a
    key is reported only when it is rare and within one or two edits of a known
    key. With `strict_keys = true` every key outside the mapping and
    `known_keys` is reported.
    Example: `ms.saerch.form: 9022` where 1,000 articles use `ms.search.form`.
    Use instead: `ms.search.form: 9022`.
    Options: `known_keys` (default `[]`), `strict_keys` (default false),
    `known_key_min_count` (default 10), `known_key_min_share` (default 0.02).
    """
    config = ctx.config
    known = configured_keys(config) | set(option_list(ctx.option("known_keys")))
    strict = bool(ctx.option("strict_keys"))
    if not strict:
        counts: Counter[str] = Counter()
        articles = 0
        for keys, n in ctx.census(corpus).items():
            assert isinstance(keys, tuple)
            articles += n
            for key in keys:
                counts[key] += n
        share = math.ceil(_number(ctx.option("known_key_min_share"), 0.02) * articles)
        threshold = max(2, min(int(_number(ctx.option("known_key_min_count"), 10)), share))
        known |= {key for key, count in counts.items() if count >= threshold}
    ordered = sorted(known)
    verdicts: dict[str, str | None] = {}
    for article in corpus.articles:
        for key in article.meta:
            if key in known:
                continue
            if key not in verdicts:
                verdicts[key] = close_key(key, ordered)
            suggestion = verdicts[key]
            line = article.key_line(key)
            if suggestion is not None:
                yield ctx.report(
                    article, line, f"unknown key '{key}'; did you mean '{suggestion}'?"
                )
            elif strict:
                yield ctx.report(
                    article,
                    line,
                    f"unknown key '{key}': no field reads it "
                    "(map it in [fields] or list it in known_keys)",
                )


# --------------------------------------------------------------------------- values


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a date"
    return "text"


@rule("KB106", "wrong-type", severity=Severity.WARNING)
def wrong_type(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A front-matter value has the wrong type: a list where text belongs, a boolean by accident.

    Why: a value of the wrong kind is ignored (a title that is a list, labels
    that are a mapping), and YAML reads some plain words as something else:
    `status: no` is the boolean false, `id: 1.10` the number 1.1. Only the
    keys the field mapping reads are checked.
    Example: `title: [Reset, password]`, `labels: {password: reset}`,
    `status: yes`, `review_every: soon`.
    Use instead: `title: Reset your password`, `labels: [password, reset]`,
    `status: "yes"` (quoted, if that text is meant), `review_every: 90d`.
    Options: none. Dates are checked by KB108.
    """
    for name in _TEXT_FIELDS:
        key = article.field_key(name)
        if key is None:
            continue
        value = article.meta.get(key)
        if isinstance(value, (list, dict)):
            yield ctx.report(article.key_line(key), f"'{key}' should be text, not {_kind(value)}")
        elif isinstance(value, (bool, float)):
            yield ctx.report(
                article.key_line(key),
                f"'{key}' is read as {_kind(value)} ({str(value).lower()}); "
                "quote the value if the text is meant",
            )
        elif name == "review_every" and value is not None:
            try:
                parse_interval(value if isinstance(value, int) else str(value))
            except ValueError as exc:
                yield ctx.report(article.key_line(key), f"'{key}': {exc}")
    for name in _LIST_FIELDS:
        key = article.field_key(name)
        if key is None:
            continue
        value = article.meta.get(key)
        if isinstance(value, dict):
            yield ctx.report(
                article.key_line(key), f"'{key}' should be a list or text, not a mapping"
            )
        elif isinstance(value, list):
            bad = next((v for v in value if isinstance(v, (list, dict, bool))), None)
            if bad is not None:
                yield ctx.report(
                    article.key_line(key),
                    f"an item of '{key}' is {_kind(bad)}; items should be text"
                    + (" (quote it)" if isinstance(bad, bool) else ""),
                )
        elif isinstance(value, bool):
            yield ctx.report(
                article.key_line(key), f"'{key}' is read as a boolean; write a list of text"
            )
    key = article.field_key("last_reviewed")
    if key is not None:
        value = article.meta.get(key)
        if not isinstance(value, (str, dt.date)):
            yield ctx.report(article.key_line(key), f"'{key}' should be a date, not {_kind(value)}")


@rule("KB107", "taxonomy-value", severity=Severity.WARNING)
def taxonomy_value(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A type, stage, channel or status that is not in the taxonomy.

    Why: a value outside `[taxonomy]` falls out of every filter, coverage matrix
    and review interval that uses the taxonomy: `stages: [beginer]` is in no
    stage at all. Values are compared after `[fields.values]`, so a repository
    can map its own words (`ms.topic: article` to `concept`).
    Example: `type: how_to`, `channels: [in-app]`.
    Use instead: `type: how-to`, `channels: [in-product]`, or add the value to
    `[taxonomy]` (or a `[fields.values]` map) if it is meant.
    Options: none (the allowed values are `[taxonomy]`; an empty table turns
    the check of that field off). The locale is not checked: a folder that is
    not a configured locale is simply not a locale (see `kb.locales`).
    """
    for problem in invalid_values(article, ctx.config):
        yield ctx.report(article.field_line(problem.field), problem.message)


# --------------------------------------------------------------------------- dates


def _today(option: object) -> dt.date:
    """The `today` option; the real date when it is empty or not an ISO date."""
    if isinstance(option, dt.date):
        return option
    try:
        return dt.date.fromisoformat(str(option or "").strip())
    except ValueError:
        return dt.date.today()


@rule(
    "KB108",
    "invalid-date",
    severity=Severity.ERROR,
    options=(
        Option(
            "today",
            "",
            "The date taken as today (ISO, e.g. `2026-11-23`); empty: the "
            "real date. For tests and reproducible runs.",
        ),
    ),
)
def invalid_date(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The review date is not a date in the configured formats, or lies in the future.

    Why: an article whose review date cannot be read counts as never reviewed;
    one dated in the future is never due, so it silently leaves the review cycle.
    A date up to one day ahead is accepted, since writers east of the CI
    server's time zone are already in tomorrow.
    Example: `last_reviewed: 2026-13-01`, `last_reviewed: next week`, or a date
    next year.
    Use instead: the date of the review, in the first of `fields.date_formats`.
    Options: `today` (default empty: the real date).
    """
    key = article.field_key("last_reviewed")
    if key is None:
        return
    value = article.meta.get(key)
    if not isinstance(value, (str, dt.date)) or value == "":
        return  # a wrong type is KB106's finding
    formats = ctx.config.fields.date_formats
    try:
        date = parse_date(value, formats)
    except ValueError as exc:
        yield ctx.report(article.key_line(key), f"'{key}': {exc}")
        return
    today = _today(ctx.options.today)
    if date > today + dt.timedelta(days=1):
        yield ctx.report(
            article.key_line(key),
            f"'{key}' is {date.isoformat()}, in the future (today is {today.isoformat()})",
        )


def _parses_as(text: str, fmt: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, fmt).date()
    except ValueError:
        return None


def file_line(article: Article, line: int) -> str | None:
    """Text of file line `line` (no line break), or None when the file changed since loading.

    Only called to build a fix, which is rare; the article model keeps no
    front-matter text.
    """
    try:
        raw = article.path.read_bytes()
    except OSError:
        return None
    if article.content_hash and hashlib.sha256(raw).hexdigest() != article.content_hash:
        return None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    lines = text.split("\n")
    return lines[line - 1].rstrip("\r") if 1 <= line <= len(lines) else None


def _value_edit(article: Article, key: str, old: str, new: str) -> TextEdit | None:
    """The edit that replaces value text `old` of `key` with `new`, on the key's line."""
    line = article.key_lines.get(key)
    if line is None:
        return None
    text = file_line(article, line)
    if text is None:
        return None
    colon = text.find(":", text.find(key) + len(key) if key in text else 0)
    if colon < 0:
        return None
    rest = text[colon + 1 :]
    if rest.count(old) != 1:
        return None
    start = colon + 1 + rest.index(old)
    return TextEdit(line, start + 1, line, start + 1 + len(old), new)


@rule("KB109", "date-format", severity=Severity.INFO, fixable=True)
def date_format(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The review date is not written in the first configured date format.

    Why: one spelling of dates keeps diffs, sorting and search by date simple,
    and it is the spelling kbtool writes (`review mark`). The fix rewrites the
    value in the first of `fields.date_formats`, e.g. `2026-9-4` to
    `2026-09-04` or `3/7/2025` to `03/07/2025`; it is offered only when no other
    configured format reads the text as a different date.
    Example: `last_reviewed: "2026-9-4"` with `date_formats = ["%Y-%m-%d"]`.
    Use instead: `last_reviewed: 2026-09-04`.
    Options: none (the formats are `fields.date_formats`). A date YAML reads by
    itself (unquoted `2026-09-04`) is checked only when the first format is not
    ISO.
    """
    key = article.field_key("last_reviewed")
    if key is None:
        return
    value = article.meta.get(key)
    formats = ctx.config.fields.date_formats
    if not formats:
        return
    first = formats[0]
    if isinstance(value, dt.date):
        date = value.date() if isinstance(value, dt.datetime) else value
        if date.strftime(first) == date.isoformat():
            return  # what YAML read as a date is ISO, the first format's spelling
        written = date.isoformat()
        canonical = date.strftime(first)
        ambiguous = False
        fixable = not isinstance(value, dt.datetime)  # the time would be left behind
    elif isinstance(value, str) and value.strip():
        written = value.strip()
        try:
            date = parse_date(written, formats)
        except ValueError:
            return  # KB108
        canonical = date.strftime(first)
        if written == canonical:
            return
        readings = {d for d in (_parses_as(written, f) for f in formats) if d is not None}
        ambiguous = len(readings) > 1
        fixable = True
    else:
        return
    line = article.key_line(key)
    if ambiguous:
        yield ctx.report(
            line,
            f"'{key}' is written '{written}', which the configured formats "
            f"read as different dates; write it in the first one, {first}",
        )
        return
    edit = _value_edit(article, key, written, canonical) if fixable else None
    fix = Fix(f"write {canonical}", (edit,)) if edit else None
    yield ctx.report(
        line,
        f"'{key}' is written '{written}'; write it as '{canonical}' ({first})",
        fix=fix,
        column=edit.column if edit else 1,
        end_line=edit.end_line if edit else None,
        end_column=edit.end_column if edit else None,
    )


# --------------------------------------------------------------------------- ids and titles


def others_in_group(group: Sequence[Article], root: Path) -> Iterator[tuple[Article, str]]:
    """Each article of a group of duplicates, with the text naming the others
    (`en/b.md`, or `en/b.md and 3 more`): paths made once per group, not per pair."""
    shown = [relative_path(a.path, root) for a in group]
    more = f" and {len(group) - 2} more" if len(group) > 2 else ""
    for i, article in enumerate(group):
        yield article, (shown[1] if i == 0 else shown[0]) + more


def _same_id(article: Article) -> tuple[tuple[str, str, str]]:
    return (("id", article.locale, article.id),)


@rule(
    "KB110",
    "duplicate-id",
    severity=Severity.ERROR,
    scope="corpus",
    related=_same_id,
    options=(
        Option(
            "duplicate_file_stems",
            False,
            "Also report articles without an explicit id whose file stems (their ids) collide.",
        ),
    ),
)
def duplicate_id(corpus: Corpus, ctx: CorpusContext) -> Iterator[Diagnostic]:
    """Two articles of one locale have the same id.

    Why: ids are how translations, `popular` lists and commands find an article;
    with two, each finds whichever came first. Reported on every article of the
    group, at its id line, naming the other file.
    An article without an id uses its file stem. File names are the writer's
    choice and files in different folders may share one (`overview.md`), so
    stems are compared only with explicit ids unless `duplicate_file_stems` is on.
    Example: `id: reset-password` in `account/reset-password.md` and in
    `troubleshooting/forgot-password.md`.
    Use instead: a distinct id for each, e.g. `id: forgot-password`.
    Options: `duplicate_file_stems` (default false).
    """
    groups: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for article in corpus.articles:
        groups[(article.locale, article.id)].append(article)
    stems = bool(ctx.option("duplicate_file_stems"))
    root = ctx.config.root
    for (_locale, article_id), group in groups.items():
        if len(group) < 2:
            continue
        if not stems and all(a.field_key("id") is None for a in group):
            continue
        for article, others in others_in_group(group, root):
            if article.field_key("id") is not None:
                yield ctx.report(
                    article,
                    article.field_line("id"),
                    f"id '{article_id}' is also the id of {others}",
                )
            else:
                yield ctx.report(
                    article,
                    1,
                    f"file stem '{article_id}' (the id, as the front "
                    f"matter names none) is also the id of {others}",
                )


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _same_title(article: Article) -> tuple[tuple[str, str], ...]:
    return ((article.locale, _normal(article.title)),) if article.title else ()


@rule(
    "KB111",
    "duplicate-title",
    severity=Severity.WARNING,
    scope="corpus",
    related=_same_title,
)
def duplicate_title(corpus: Corpus, ctx: CorpusContext) -> Iterator[Diagnostic]:
    """Two published articles of one locale have the same title.

    Why: readers choose from search results and article lists by title; two
    alike make them guess, and search engines may show only one. Titles are
    compared ignoring letter case and spacing; drafts and archived articles
    are left out (a draft often replaces the article it copies).
    Example: two articles titled `Reset your password`.
    Use instead: titles that say what differs: `Reset your password` and
    `Reset a team member's password`.
    Options: none.
    """
    groups: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for article in corpus.articles:
        if article.is_published and article.field_key("title") is not None and article.title:
            groups[(article.locale, _normal(article.title))].append(article)
    root = ctx.config.root
    for group in groups.values():
        if len(group) > 1:
            for article, others in others_in_group(group, root):
                yield ctx.report(
                    article,
                    article.field_line("title"),
                    f"title '{article.title}' is also the title of {others}",
                )


def _suggest_slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@rule("KB112", "id-not-slug", severity=Severity.WARNING)
def id_not_slug(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """An explicit id is not a safe slug (lower-case letters a-z, digits, single hyphens).

    Why: ids end up in URLs, file names and command lines; capitals, spaces,
    underscores and accents are spelt differently by different tools and need
    escaping. Only explicit ids are checked: an article without one uses its
    file stem, and file names are the writer's choice.
    Example: `id: Reset_Password`.
    Use instead: `id: reset-password`.
    Options: none.
    """
    if article.field_key("id") is None or _SLUG.fullmatch(article.id):
        return
    suggestion = _suggest_slug(article.id)
    hint = f"; e.g. '{suggestion}'" if suggestion and suggestion != article.id else ""
    yield ctx.report(
        article.field_line("id"),
        f"id '{article.id}' is not a slug (a-z, 0-9 and single hyphens){hint}",
    )
