"""Creating things: a new knowledge base (`init`) and a new article (`new`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kbtool.config import CONFIG_FILENAME, Config
from kbtool.corpus.discover import detect_locales, is_locale_code
from kbtool.corpus.edit import edit_front_matter, write_atomic
from kbtool.errors import ConflictError, InputError, UsageError
from kbtool.slug import file_slug

__all__ = ["NewArticle", "init_kb", "new_article", "template_text"]

TEMPLATE_TYPES = ("how-to", "troubleshooting", "faq", "reference", "concept")


def _scaffold(name: str) -> str:
    return resources.files("kbtool").joinpath("scaffold", name).read_text(encoding="utf-8")


def init_kb(target: Path, *, name: str, locale: str, today: dt.date) -> list[Path]:
    """Scaffold a knowledge base in `target`; returns the files written.

    Refuses, writing nothing, when any of the files already exists.
    """
    if not is_locale_code(locale):
        raise UsageError(f"'{locale}' is not a language code (e.g. en, sv, de-de)")
    if target.exists() and not target.is_dir():
        raise UsageError("exists and is not a folder", path=target)
    files: dict[Path, str] = {
        target / CONFIG_FILENAME: _scaffold("kbtool.toml")
        .replace("{name}", name)
        .replace("{locale}", locale),
        target / ".gitignore": _scaffold("gitignore"),
        target / "articles" / locale / "getting-started" / "_index.md": _scaffold(
            "articles/getting-started/_index.md"
        ),
        target / "articles" / locale / "getting-started" / "welcome.md": _scaffold(
            "articles/getting-started/welcome.md"
        ).replace("{today}", today.isoformat()),
    }
    for kind in TEMPLATE_TYPES:
        files[target / "templates" / f"{kind}.md"] = _scaffold(f"templates/{kind}.md")
    existing = [p for p in files if p.exists()]
    if existing:
        shown = ", ".join(str(p) for p in existing[:3]) + (" ..." if len(existing) > 3 else "")
        raise ConflictError(f"{len(existing)} file(s) already exist, nothing written: {shown}")
    written = []
    for path, text in files.items():
        write_atomic(path, text.encode("utf-8"), create=True)
        written.append(path)
    return written


def template_text(config: Config, kind: str) -> str:
    """The template for `kind`: `templates/<kind>.md` of the knowledge base, else built-in."""
    local = config.root / "templates" / f"{kind}.md"
    if local.is_file():
        return local.read_text(encoding="utf-8")
    if kind in TEMPLATE_TYPES:
        return _scaffold(f"templates/{kind}.md")
    known = sorted({*TEMPLATE_TYPES, *(p.stem for p in (config.root / "templates").glob("*.md"))})
    raise InputError(f"no template for type '{kind}' (templates: {', '.join(known)})")


@dataclass(frozen=True)
class NewArticle:
    path: Path
    id: str


def new_article(
    config: Config,
    title: str,
    *,
    kind: str,
    section: str | None,
    locale: str | None,
    owner: str | None,
    today: dt.date,
    article_id: str | None = None,
) -> NewArticle:
    """Create an article from its type's template with the front matter filled in.

    The fields are written under the keys `[fields]` maps them to (the first
    one), the date in the first of `fields.date_formats`; a template key that
    the mapping replaces is dropped, so the article does not carry two dates.
    `section` None means `kb.default_section`, `locale` None `kb.default_locale`.
    """
    title = title.strip()
    if not title:
        raise UsageError("the title is empty")
    if kind not in config.taxonomy.types:
        raise UsageError(f"unknown type '{kind}' (taxonomy: {', '.join(config.taxonomy.types)})")
    if article_id is not None:
        slug = article_id
        if not slug or slug != file_slug(slug):
            suggestion = file_slug(slug)
            raise UsageError(
                f"'{slug}' cannot be an id: use lower-case letters, digits and "
                "hyphens" + (f", e.g. '{suggestion}'" if suggestion else "")
            )
    else:
        slug = file_slug(title)
        if not slug:
            raise UsageError(f"cannot make a file name from {title!r}; give one with --id")
    section = config.kb.default_section if section is None else section
    section_slug = file_slug(section)
    if not section_slug:
        raise UsageError(f"'{section}' is not a usable section name")
    articles = config.articles_path
    locales = detect_locales(articles, config.kb.locales) if articles.is_dir() else ()
    locale = locale or config.kb.default_locale
    if locales and locale not in locales:
        raise UsageError(f"unknown locale '{locale}' (locales: {', '.join(locales)})")
    with_locale = bool(locales) or _wants_locale_level(articles)
    if not with_locale and locale != config.kb.default_locale:
        raise UsageError(
            f"this knowledge base has no locale folders; '{locale}' is not its "
            f"language ({config.kb.default_locale})"
        )
    folder = articles / locale if with_locale else articles
    path = folder / section_slug / f"{slug}.md"
    if path.exists():
        raise ConflictError("already exists; not overwritten", path=path)
    template = template_text(config, kind).encode("utf-8")
    values: dict[str, object] = {
        "id": slug,
        "title": title,
        "type": kind,
        "last_reviewed": today.strftime(config.fields.date_formats[0]),
    }
    if owner:
        values["owner"] = owner
    updates = {config.field_keys(name)[0]: value for name, value in values.items()}
    # a built-in template names fields canonically; under a mapping those keys mean nothing
    replaced = [
        name for name in values if name not in config.field_keys(name) and name not in updates
    ]
    data = edit_front_matter(template, updates, remove=replaced, path=path)
    write_atomic(path, data, create=True)
    return NewArticle(path=path, id=slug)


def _wants_locale_level(articles: Path) -> bool:
    """An empty or missing articles folder gets the recommended `<locale>/` level."""
    return not articles.is_dir() or not any(articles.iterdir())
