"""`kbtool.toml`: the typed schema, its defaults, validation and loading.

Every option is a dataclass field whose `metadata["doc"]` documents it; the
configuration reference in README and `docs/` is generated from those. Loading
validates the whole file and reports every problem with the file and line:
unknown keys (with a "did you mean" hint), wrong types and bad values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import tomllib
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtool.dates import parse_interval
from kbtool.errors import ConfigError

__all__ = [
    "CONFIG_FILENAME",
    "Config",
    "ConfigProblem",
    "find_root",
    "load_config",
]

CONFIG_FILENAME = "kbtool.toml"

# Canonical article fields that `[fields]` can map to a repository's own keys.
MAPPABLE_FIELDS = (
    "id", "title", "description", "type", "section", "stages", "channels", "labels",
    "owner", "status", "last_reviewed", "review_every", "product_area",
    "translation_of", "reviewed_by", "source_hash",
)  # fmt: skip


# How a translation can be linked to its source (`kb.translation_links`).
TRANSLATION_LINKS = ("translation_of", "path", "id")


def _doc(text: str, **extra: Any) -> dict[str, Any]:
    return {"doc": text, **extra}


# `_opt` returns a dataclasses.field(), which ruff's RUF009 cannot see through.
# ruff: noqa: RUF009


def _opt(default: Any, doc: str, **extra: Any) -> Any:
    """A schema option: its default and its documentation."""
    if isinstance(default, (dict, list, set)):
        value = default
        return field(default_factory=lambda: _copy(value), metadata=_doc(doc, **extra))
    return field(default=default, metadata=_doc(doc, **extra))


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# --------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class KbConfig:
    """`[kb]`: where the articles are and which languages they are in."""

    name: str = _opt("Help Center", "Name of the help center, shown in reports and the site.")
    articles_dir: str = _opt("articles", "Folder holding the articles, relative to the root.")
    locales: tuple[str, ...] = _opt(
        (),
        'Locale folders directly under `articles_dir` (e.g. `["en", "sv"]`). Empty: '
        "detected from folder names that are language codes; none found means a "
        "single-language base without a locale level.",
    )
    default_locale: str = _opt("en", "Locale of the source articles and of a single-language base.")
    default_section: str = _opt(
        "general", "Section of articles that sit directly in a locale (or articles) folder."
    )
    base_url: str = _opt("", "Public URL of the published help center, for canonical links.")
    include: tuple[str, ...] = _opt(
        ("**/*.md",), "Globs (relative to `articles_dir`) of article files."
    )
    exclude: tuple[str, ...] = _opt(
        (),
        "Globs of files that are not articles, e.g. `includes/**` fragments or `**/TOC.md`. "
        "Files named `_index.md` (section metadata) are never articles.",
    )
    max_file_size: int = _opt(
        1_000_000, "Files larger than this many bytes are reported, not parsed.", minimum=1
    )
    translation_links: tuple[str, ...] = _opt(
        ("translation_of", "path", "id"),
        "How a translation finds its source in `default_locale`, tried in order: "
        "`translation_of` (the source id the translation names; a named id that does "
        "not exist makes it orphaned), `path` (the same path inside the locale folder), "
        "`id` (the same id, e.g. a mapped `exl-id`).",
    )


@dataclass(frozen=True)
class FieldsConfig:
    """`[fields]`: map kbtool's article fields to the keys a repository already uses.

    Each field names one front-matter key or a list of keys (the first present
    wins), e.g. `last_reviewed = "ms.date"` or `owner = ["owner", "ms.author"]`.
    """

    id: tuple[str, ...] = _opt(
        ("id",), "Key(s) holding the stable article id (default: file stem)."
    )
    title: tuple[str, ...] = _opt(("title",), "Key(s) holding the title.")
    description: tuple[str, ...] = _opt(("description",), "Key(s) holding the description.")
    type: tuple[str, ...] = _opt(("type",), "Key(s) holding the content type.")
    section: tuple[str, ...] = _opt(("section",), "Key(s) holding the section (default: folder).")
    stages: tuple[str, ...] = _opt(("stages",), "Key(s) holding customer-journey stages.")
    channels: tuple[str, ...] = _opt(("channels",), "Key(s) holding channels.")
    labels: tuple[str, ...] = _opt(("labels",), "Key(s) holding search labels / keywords.")
    owner: tuple[str, ...] = _opt(("owner",), "Key(s) holding the owner (person or team).")
    status: tuple[str, ...] = _opt(("status",), "Key(s) holding draft / published / archived.")
    last_reviewed: tuple[str, ...] = _opt(
        ("last_reviewed",), "Key(s) holding the last review date."
    )
    review_every: tuple[str, ...] = _opt(
        ("review_every",), "Key(s) holding a per-article interval."
    )
    product_area: tuple[str, ...] = _opt(("product_area",), "Key(s) holding the product area.")
    translation_of: tuple[str, ...] = _opt(
        ("translation_of",), "Key(s) holding the id of a translation's source article."
    )
    reviewed_by: tuple[str, ...] = _opt(("reviewed_by",), "Key(s) holding who last reviewed.")
    source_hash: tuple[str, ...] = _opt(
        ("source_hash",), "Key(s) holding the source content hash or commit a translation is of."
    )
    date_formats: tuple[str, ...] = _opt(
        ("%Y-%m-%d",),
        "strftime formats of date strings, tried in order (ISO 8601 is always accepted). "
        "The first is used when kbtool writes a date.",
    )
    list_separator: str = _opt(
        ",", "Separator that splits a string into a list for list fields (labels, stages...)."
    )
    values: dict[str, dict[str, str]] = _opt(
        {},
        'Value maps per field, e.g. `[fields.values.type] article = "concept"` turns a '
        "repository's `ms.topic: article` into type concept.",
    )
    status_default: str = _opt("published", "Status of articles that do not state one.")


@dataclass(frozen=True)
class TaxonomyConfig:
    """`[taxonomy]`: the allowed values of the classifying fields, each with a description."""

    stages: dict[str, str] = _opt(
        {
            "prospective": "Evaluating the product; not a customer yet.",
            "new": "Signed up recently; setting up and learning the basics.",
            "experienced": "Uses the product regularly; needs depth and edge cases.",
        },
        "Customer-journey stages.",
    )
    channels: dict[str, str] = _opt(
        {
            "search": "Organic search engines and the help center's own search.",
            "in-product": "In-product help widget next to the feature.",
            "agent": "Links support agents share in replies.",
            "answer-bot": "Suggested automatically on email and web-form tickets.",
            "email": "Linked from product and lifecycle emails.",
        },
        "Channels that bring readers to an article.",
    )
    types: dict[str, str] = _opt(
        {
            "how-to": "Steps to get one task done.",
            "troubleshooting": "Symptoms, causes and fixes for one problem.",
            "faq": "Short answers to common questions.",
            "reference": "Facts to look up: limits, fields, policies, plans.",
            "concept": "How something works and why.",
            "announcement": "News about a change or a new feature.",
        },
        "Content types.",
    )
    statuses: dict[str, str] = _opt(
        {
            "draft": "Being written; not published.",
            "published": "Live in the help center.",
            "archived": "Kept for the record; not published.",
        },
        "Article statuses. `published` is the one that is live.",
    )


@dataclass(frozen=True)
class ReviewIntervalsConfig:
    """`[review.intervals]`: review intervals by section, type or locale."""

    section: dict[str, str] = _opt({}, 'Interval per section, e.g. `billing = "monthly"`.')
    type: dict[str, str] = _opt({}, 'Interval per content type, e.g. `announcement = "yearly"`.')
    locale: dict[str, str] = _opt({}, 'Interval per locale, e.g. `ja-jp = "6 months"`.')


@dataclass(frozen=True)
class ReviewConfig:
    """`[review]`: how often articles are reviewed."""

    default_interval: str = _opt(
        "quarterly", "Interval when nothing more specific applies (quarterly = 3 calendar months)."
    )
    due_soon: str = _opt("14d", "Window before the due date in which an article is due soon.")
    intervals: ReviewIntervalsConfig = field(
        default_factory=ReviewIntervalsConfig, metadata=_doc("Intervals per section/type/locale.")
    )
    codeowners: str = _opt(
        "",
        "Path of a CODEOWNERS file for owners of articles without one. Empty: look in "
        "`CODEOWNERS`, `.github/`, `.gitlab/` and `docs/`.",
    )


@dataclass(frozen=True)
class TagRuleConfig:
    """One `[[tags.rules]]` entry: when an article matches, add (or remove) stages/channels.

    Every criterion the rule gives must match (a rule without criteria matches
    every article); within one criterion any one value matches.
    """

    name: str = _opt("", "Name shown in `tags auto --explain` (default: `rule N`).")
    path: tuple[str, ...] = _opt(
        (),
        "Path globs relative to the articles folder or the locale folder "
        '(`"*/getting-started/**"`, `"admin-*.md"`).',
    )
    section: tuple[str, ...] = _opt((), "Sections.")
    type: tuple[str, ...] = _opt((), "Content types (after `[fields.values]`).")
    locale: tuple[str, ...] = _opt((), "Locales.")
    labels: tuple[str, ...] = _opt((), "Labels; any one matches (letter case ignored).")
    words: tuple[str, ...] = _opt(
        (),
        "Words or phrases in the title or body; any one matches (whole words, letter case "
        "ignored).",
    )
    title_words: tuple[str, ...] = _opt((), "Words or phrases in the title; any one matches.")
    meta: dict[str, tuple[str, ...]] = _opt(
        {},
        'Raw front-matter values by key, as globs: `meta = { "ms.topic" = ["get-started"] }`; '
        '`"*"` matches any non-empty value (the key is present).',
    )
    stages: tuple[str, ...] = _opt((), "Stages to add.")
    channels: tuple[str, ...] = _opt((), "Channels to add.")
    remove_stages: tuple[str, ...] = _opt((), "Stages to remove (only when the rule says so).")
    remove_channels: tuple[str, ...] = _opt((), "Channels to remove.")


@dataclass(frozen=True)
class TagsConfig:
    """`[tags]`: automatic tagging rules, suggestions and the coverage matrix."""

    rules: tuple[TagRuleConfig, ...] = _opt(
        (), "Tagging rules (`[[tags.rules]]`), applied in order."
    )
    thin: int = _opt(
        3,
        "A cell of `tags matrix` with at least one article but fewer than this many is thin.",
        minimum=1,
    )
    stage_words: dict[str, tuple[str, ...]] = _opt(
        {
            "prospective": (
                "pricing", "price", "free trial", "trial", "sign up", "demo", "compare",
                "plans", "what is", "why choose", "features", "cost",
            ),
            "new": (
                "get started", "getting started", "set up", "first", "quick start",
                "create your", "install", "onboarding", "welcome", "basics",
            ),
            "experienced": (
                "advanced", "api", "bulk", "automate", "troubleshoot", "customise",
                "customize", "migrate", "export", "integration", "webhook", "permissions",
            ),
        },
        "Words typical of each stage, for `tags suggest` (whole words, letter case ignored).",
    )  # fmt: skip


@dataclass(frozen=True)
class LintConfig:
    """`[lint]`: which rules run, how severe they are, and their options."""

    select: tuple[str, ...] = _opt(
        (), "Rules to run, by code (`KB104`), family prefix (`KB1`) or name. Empty: the defaults."
    )
    ignore: tuple[str, ...] = _opt((), "Rules not to run (codes, prefixes or names).")
    severity: dict[str, str] = _opt({}, 'Severity overrides: `KB401 = "error"`.')
    per_path_ignores: dict[str, tuple[str, ...]] = _opt(
        {}, 'Rules to ignore per path glob: `"legal/**" = ["KB401"]`.'
    )
    fail_on: str = _opt(
        "error",
        "Lowest severity that makes `kbtool lint` exit 1.",
        choices=("error", "warning", "info", "never"),
    )
    options: dict[str, Any] = _opt({}, "Rule options, e.g. `title_max = 60`.")
    docs_url: str = _opt(
        "",
        "Where findings link for a rule's documentation: a URL with `{code}` (KB301) "
        "or `{name}` (broken-link), e.g. `https://wiki.example.com/kb-rules/{code}`. "
        "Empty: kbtool's own rule pages.",
    )


@dataclass(frozen=True)
class SearchConfig:
    """`[search]`: the full-text index and the answer bot."""

    synonyms: dict[str, tuple[str, ...]] = _opt(
        {},
        'Synonyms: `login = ["sign in", "log in"]`; each group is searched as one, both ways, '
        "in every locale whose index has its words.",
    )
    analyzers: dict[str, str] = _opt(
        {},
        'Analyzer per locale, overriding the built-in choice: a language code (`sv = "sv"`, '
        '`zh-tw = "zh"`, `ja`, `ko`) or `"simple"` (words, no stemming).',
    )
    boosts: dict[str, float] = _opt(
        {
            "title": 3.0,
            "labels": 2.8,
            "section_title": 1.5,
            "headings": 1.5,
            "description": 1.5,
            "body": 1.0,
        },
        "Field weights for ranking (title, labels, section_title, headings, description, body).",
    )
    include_drafts: bool = _opt(False, "Index drafts and archived articles too.")
    suggest_threshold: float = _opt(
        0.35, "Below this confidence `suggest` says there is no confident match.", minimum=0.0
    )


@dataclass(frozen=True)
class SiteConfig:
    """`[site]`: the static help site."""

    title: str = _opt("", "Site title (default: `kb.name`).")
    logo: str = _opt("", "Logo image path, relative to the root.")
    theme: str = _opt("default", "Built-in theme; files in `templates/site/` override it.")
    output_dir: str = _opt("site", "Where `kbtool build` writes the site.")
    contact_url: str = _opt("", "Where the contact form submits (empty: a mailto: link).")
    contact_email: str = _opt("", "Address for the contact form's mailto: fallback.")
    popular: tuple[str, ...] = _opt((), "Article ids shown as popular on the home page.")
    footer_links: dict[str, str] = _opt({}, "Footer links: label = URL.")
    colors: dict[str, str] = _opt({}, 'Theme colours: `accent = "#0b57d0"`.')
    widget_areas: tuple[str, ...] = _opt(
        (), "Product areas that get widget data (empty: every area articles name)."
    )


@dataclass(frozen=True)
class Config:
    """The whole configuration; every section optional."""

    kb: KbConfig = field(default_factory=KbConfig, metadata=_doc("The knowledge base."))
    fields: FieldsConfig = field(default_factory=FieldsConfig, metadata=_doc("Field mapping."))
    taxonomy: TaxonomyConfig = field(default_factory=TaxonomyConfig, metadata=_doc("Taxonomy."))
    review: ReviewConfig = field(default_factory=ReviewConfig, metadata=_doc("Review policy."))
    tags: TagsConfig = field(default_factory=TagsConfig, metadata=_doc("Tagging rules."))
    lint: LintConfig = field(default_factory=LintConfig, metadata=_doc("Linter."))
    search: SearchConfig = field(default_factory=SearchConfig, metadata=_doc("Search."))
    site: SiteConfig = field(default_factory=SiteConfig, metadata=_doc("Static site."))
    # Where the configuration applies; not part of the file's schema.
    root: Path = field(default=Path(), metadata={"internal": True})
    source: Path | None = field(default=None, metadata={"internal": True})

    @property
    def articles_path(self) -> Path:
        return self.root / self.kb.articles_dir

    def field_keys(self, name: str) -> tuple[str, ...]:
        """The front-matter keys that hold canonical field `name`, most preferred first."""
        keys: tuple[str, ...] = getattr(self.fields, name)
        return keys

    def to_dict(self) -> dict[str, Any]:
        """The effective configuration as plain data (what `kbtool config` prints)."""
        return {
            f.name: _plain(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if not f.metadata.get("internal")
        }


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in `kbtool.toml`, with the line it is on."""

    path: Path | None
    line: int | None
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = str(self.path) if self.path else CONFIG_FILENAME
        if self.line:
            where += f":{self.line}"
        return f"{where}: {self.message}"


class _Locator:
    """Finds the line of a dotted key in TOML text (tomllib keeps no positions).

    Lines inside multi-line strings and multi-line arrays are neither keys nor
    table headers, however much they look like one.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.\-"' ]+?)\s*=""")

    def __init__(self, text: str):
        self.lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        counters: dict[tuple[str, ...], int] = {}
        scan = _ValueScanner()
        # TOML lines end at \n only (str.splitlines would also split at \u2028 and others)
        for number, line in enumerate(text.split("\n"), start=1):
            if scan.inside:
                scan.feed(line)
                continue
            header = self._HEADER.match(line)
            if header:
                table = self._split(header.group(2))
                if header.group(1) == "[[":
                    index = counters.get(table, -1) + 1
                    counters[table] = index
                    table = (*table, str(index))
                self.lines.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                self.lines.setdefault((*table, *self._split(key.group(1))), number)
                scan.feed(line[key.end() :])

    @staticmethod
    def _split(dotted: str) -> tuple[str, ...]:
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([^.\s]+)', dotted)
        return tuple(a or b or c for a, b, c in parts)

    def line(self, keys: tuple[str, ...]) -> int | None:
        while keys:
            if keys in self.lines:
                return self.lines[keys]
            keys = keys[:-1]
        return None


class _ValueScanner:
    """Follows TOML values across lines: open arrays and multi-line strings."""

    def __init__(self) -> None:
        self.depth = 0  # open [ and {
        self.string: str | None = None  # the delimiter of an open multi-line string

    @property
    def inside(self) -> bool:
        return self.depth > 0 or self.string is not None

    def feed(self, text: str) -> None:
        i = 0
        while i < len(text):
            if self.string is not None:
                i = self._close(text, i, self.string)
                if i < 0:
                    return
                self.string = None
                continue
            c = text[i]
            if c == "#":
                return
            if c in "\"'":
                if text.startswith(c * 3, i):
                    self.string = c * 3
                    i += 3
                    continue
                i = self._close(text, i + 1, c)
                if i < 0:
                    return  # an unclosed one-line string: tomllib reports it
                continue
            if c in "[{":
                self.depth += 1
            elif c in "]}":
                self.depth = max(self.depth - 1, 0)
            i += 1

    @staticmethod
    def _close(text: str, i: int, delimiter: str) -> int:
        """Offset just after the `delimiter` that closes a string open at `i`; -1: not here."""
        while i < len(text):
            if delimiter[0] == '"' and text[i] == "\\":
                i += 2
                continue
            if text.startswith(delimiter, i):
                end = i + len(delimiter)
                # a multi-line string may end in up to two extra quotes: """a""""" is 'a""'
                while len(delimiter) == 3 and end - i < 5 and text.startswith(delimiter[0], end):
                    end += 1
                return end
            i += 1
        return -1


class _Builder:
    """Builds the typed schema from parsed TOML, collecting every problem."""

    def __init__(self, source: Path | None, locator: _Locator):
        self.source = source
        self.locator = locator
        self.problems: list[ConfigProblem] = []

    def problem(self, keys: tuple[str, ...], message: str, severity: str = "error") -> None:
        self.problems.append(ConfigProblem(self.source, self.locator.line(keys), message, severity))

    def build(self, cls: type[Any], data: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
        hints = typing.get_type_hints(cls)
        schema = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
        values: dict[str, Any] = {}
        for key, raw in data.items():
            here = (*keys, key)
            if key not in schema:
                self.problem(here, f"unknown key '{_dotted(here)}'{_hint(key, schema)}")
                continue
            converted = self.convert(hints[key], raw, here, schema[key])
            if converted is not _INVALID:
                values[key] = converted
        return cls(**values)

    def convert(self, hint: Any, raw: Any, keys: tuple[str, ...], spec: Any = None) -> Any:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        name = _dotted(keys)
        if dataclasses.is_dataclass(hint):
            if not isinstance(raw, Mapping):
                self.problem(keys, f"'{name}' must be a table, got {_kind(raw)}")
                return _INVALID
            return self.build(hint, raw, keys)  # type: ignore[arg-type]
        if origin is tuple:
            item = args[0]
            if isinstance(raw, str) and not dataclasses.is_dataclass(item):
                raw = [raw]
            if not isinstance(raw, list):
                self.problem(keys, f"'{name}' must be a list, got {_kind(raw)}")
                return _INVALID
            items = [self.convert(item, v, (*keys, str(i))) for i, v in enumerate(raw)]
            return tuple(v for v in items if v is not _INVALID)
        if origin is dict:
            if not isinstance(raw, Mapping):
                self.problem(keys, f"'{name}' must be a table, got {_kind(raw)}")
                return _INVALID
            out = {}
            for k, v in raw.items():
                converted = self.convert(args[1], v, (*keys, k))
                if converted is not _INVALID:
                    out[str(k)] = converted
            return out
        if hint is Any:
            return raw
        if origin in (typing.Union, types.UnionType):
            return raw
        return self.scalar(hint, raw, keys, spec)

    def scalar(self, hint: Any, raw: Any, keys: tuple[str, ...], spec: Any) -> Any:
        name = _dotted(keys)
        ok = (
            (hint is str and isinstance(raw, str))
            or (hint is bool and isinstance(raw, bool))
            or (hint is int and isinstance(raw, int) and not isinstance(raw, bool))
            or (hint is float and isinstance(raw, (int, float)) and not isinstance(raw, bool))
        )
        if not ok:
            self.problem(keys, f"'{name}' must be {_TYPE_NAMES.get(hint, hint)}, got {_kind(raw)}")
            return _INVALID
        meta = spec.metadata if spec is not None else {}
        choices = meta.get("choices")
        if choices and raw not in choices:
            self.problem(
                keys,
                f"'{name}' must be one of {', '.join(choices)}, got {raw!r}"
                f"{_hint(str(raw), choices)}",
            )
            return _INVALID
        minimum = meta.get("minimum")
        if minimum is not None and raw < minimum:
            self.problem(keys, f"'{name}' must be at least {minimum}, got {raw}")
            return _INVALID
        return float(raw) if hint is float else raw


_INVALID = object()
_TYPE_NAMES: dict[Any, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
}


def _dotted(keys: tuple[str, ...]) -> str:
    out = ""
    for key in keys:
        if key.isdigit():
            out += f"[{key}]"
        else:
            bare = re.fullmatch(r"[A-Za-z0-9_-]+", key)
            out += ("." if out else "") + (key if bare else f'"{key}"')
    return out


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return "a date"
    return type(value).__name__


def _hint(word: str, candidates: Any) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _semantic_checks(config: Config, builder: _Builder) -> None:
    """Checks that need more than one value or a parser: intervals, formats, locales."""
    problem = builder.problem
    review = config.review
    for keys, text in (
        (("review", "default_interval"), review.default_interval),
        (("review", "due_soon"), review.due_soon),
    ):
        try:
            parse_interval(text)
        except ValueError as exc:
            problem(keys, str(exc))
    for kind in ("section", "type", "locale"):
        for name, text in getattr(review.intervals, kind).items():
            try:
                parse_interval(text)
            except ValueError as exc:
                problem(("review", "intervals", kind, name), str(exc))
    for i, fmt in enumerate(config.fields.date_formats):
        if "%" not in fmt:
            problem(("fields", "date_formats", str(i)), f"date format {fmt!r} has no % directive")
        else:
            try:
                dt.date(2026, 11, 23).strftime(fmt)
            except ValueError as exc:
                problem(("fields", "date_formats", str(i)), f"bad date format {fmt!r}: {exc}")
    for name in config.fields.values:
        if name not in MAPPABLE_FIELDS:
            problem(
                ("fields", "values", name), f"unknown field '{name}'{_hint(name, MAPPABLE_FIELDS)}"
            )
    for i, method in enumerate(config.kb.translation_links):
        if method not in TRANSLATION_LINKS:
            problem(
                ("kb", "translation_links", str(i)),
                f"unknown translation link '{method}' (use {', '.join(TRANSLATION_LINKS)})"
                f"{_hint(method, TRANSLATION_LINKS)}",
            )
    locales = config.kb.locales
    if locales and config.kb.default_locale not in locales:
        problem(
            ("kb", "default_locale"),
            f"default_locale '{config.kb.default_locale}' is not one of kb.locales "
            f"({', '.join(locales)})",
        )
    taxonomy = config.taxonomy
    for i, rule in enumerate(config.tags.rules):
        for kind, allowed in (
            ("stages", taxonomy.stages),
            ("channels", taxonomy.channels),
            ("remove_stages", taxonomy.stages),
            ("remove_channels", taxonomy.channels),
        ):
            for value in getattr(rule, kind):
                if value not in allowed:
                    problem(
                        ("tags", "rules", str(i), kind),
                        f"'{value}' is not in the taxonomy{_hint(value, allowed)}",
                    )
        for value in rule.type:
            if value not in taxonomy.types:
                problem(
                    ("tags", "rules", str(i), "type"),
                    f"type '{value}' is not in the taxonomy{_hint(value, taxonomy.types)}",
                )
        for kind in ("words", "title_words", "labels", "path"):
            if any(not value.strip() for value in getattr(rule, kind)):
                problem(("tags", "rules", str(i), kind), f"'{kind}' has an empty value")
    default_words = TagsConfig().stage_words  # defaults for stages a taxonomy drops are unused
    for stage, words in config.tags.stage_words.items():
        if stage in default_words and words == default_words[stage]:
            continue
        if taxonomy.stages and stage not in taxonomy.stages:
            problem(
                ("tags", "stage_words", stage),
                f"stage '{stage}' is not in the taxonomy{_hint(stage, taxonomy.stages)}",
            )
    for code, level in config.lint.severity.items():
        if level not in ("error", "warning", "info", "off"):
            problem(
                ("lint", "severity", code),
                f"severity of {code} must be error, warning, info or off, got {level!r}",
            )
    if config.lint.docs_url:
        reason = _docs_url_problem(config.lint.docs_url)
        if reason:
            problem(("lint", "docs_url"), reason)


def _docs_url_problem(template: str) -> str | None:
    """Why `[lint] docs_url` cannot be filled in for a rule, or None."""
    import string

    try:
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        return f"'lint.docs_url' is not a valid template: {exc}"
    unknown = sorted(names - {"code", "name"})
    if unknown:
        placeholder = "{" + unknown[0] + "}"
        return f"'lint.docs_url' has an unknown placeholder {placeholder}; use {{code}} or {{name}}"
    if not names:
        return "'lint.docs_url' must contain {code} or {name}, e.g. https://example.com/{code}"
    return None


# --------------------------------------------------------------------------- loading


def find_root(start: Path) -> Path:
    """The knowledge-base root: the nearest folder upwards with `kbtool.toml`, else `start`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILENAME).is_file():
            return folder
    return start


def parse_config(
    text: str, *, source: Path | None = None, root: Path = Path()
) -> tuple[Config, list[ConfigProblem]]:
    """Build a Config from TOML text; returns it with every problem found.

    The Config holds defaults wherever a value was invalid, so callers may still
    show it; commands refuse to run while there are errors.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc), text)
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        return Config(root=root, source=source), [
            ConfigProblem(source, line, f"invalid TOML: {reason}")
        ]
    builder = _Builder(source, _Locator(text))
    config = builder.build(Config, data, ())
    config = dataclasses.replace(config, root=root, source=source)
    _semantic_checks(config, builder)
    # in file order, so the list reads top to bottom like the file (stable: same line keeps order)
    problems = sorted(builder.problems, key=lambda p: p.line or 0)
    return config, problems


def _toml_error_line(message: str, text: str) -> int | None:
    match = re.search(r"at line (\d+)", message)
    if match:
        return int(match.group(1))
    if "end of document" in message:  # an unclosed string or array: point at the last line
        return max(len(text.rstrip("\n").split("\n")), 1)
    return None


def load_config(root: Path, config_file: Path | None = None) -> tuple[Config, list[ConfigProblem]]:
    """Load `kbtool.toml` from `root` (or `config_file`); defaults when there is none.

    Raises ConfigError when an explicitly named file cannot be read.
    """
    path = config_file if config_file is not None else root / CONFIG_FILENAME
    if not path.is_file():
        if config_file is not None:
            raise ConfigError("configuration file not found", path=path)
        return Config(root=root), []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=path) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError("not valid UTF-8", path=path, line=line) from exc
    return parse_config(text, source=path, root=root)


def iter_options(cls: type[Any] = Config, prefix: str = "") -> Iterator[tuple[str, str, Any, str]]:
    """(dotted key, type name, default, doc) for every option: the configuration reference."""
    hints = typing.get_type_hints(cls)
    instance = cls()
    for f in dataclasses.fields(cls):
        if f.metadata.get("internal"):
            continue
        hint = hints[f.name]
        key = f"{prefix}{f.name}"
        args = typing.get_args(hint)
        if dataclasses.is_dataclass(hint):
            yield from iter_options(hint, key + ".")  # type: ignore[arg-type]
        elif typing.get_origin(hint) is tuple and args and dataclasses.is_dataclass(args[0]):
            yield key, "array of tables", [], f.metadata.get("doc", "")
            yield from iter_options(args[0], f"{key}[].")  # type: ignore[arg-type]
        else:
            default = _plain(getattr(instance, f.name))
            yield key, _type_name(hint), default, f.metadata.get("doc", "")


def _type_name(hint: Any) -> str:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is tuple:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"table of {_type_name(args[1])}"
    if hint is Any:
        return "any"
    return {str: "string", int: "integer", float: "number", bool: "boolean"}.get(hint, str(hint))


def key_line(source: Path | None, keys: tuple[str, ...]) -> int | None:
    """Line of the dotted key `keys` (e.g. `("lint", "ignore")`) in the TOML file `source`.

    For messages about a value that the schema accepted but a later stage
    rejects (an unknown lint rule code). None when there is no file or key.
    """
    if source is None:
        return None
    try:
        text = source.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return _Locator(text).line(keys)
