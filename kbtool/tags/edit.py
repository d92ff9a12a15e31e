"""Writing stages and channels into front matter: `tags set`, `tags unset`, `tags auto --write`.

Every write goes through `corpus.edit.edit_front_matter` and `write_atomic`,
as `review mark` does: only the stages/channels keys change, every other byte
stays, the file is replaced atomically, and a file changed on disk since it
was loaded is not overwritten. Values the file already has keep the spelling
the file gives them (`[fields.values]` maps may rename them on reading); a
value given as a comma-separated string stays a string.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kbtool.corpus.edit import content_hash, edit_front_matter, write_atomic
from kbtool.corpus.parse import parse_bytes
from kbtool.errors import ConflictError, InputError
from kbtool.tags.rules import TAG_FIELDS, TagPlan

if TYPE_CHECKING:
    from kbtool.config import Config
    from kbtool.corpus import Article

__all__ = [
    "TagChange",
    "apply_changes",
    "changes_for_plans",
    "prepare_change",
    "set_tags",
]


@dataclass(frozen=True)
class TagChange:
    """The front-matter edit that gives one article new stages and channels."""

    article: Article
    old: bytes
    new: bytes
    before: Mapping[str, tuple[str, ...]]
    after: Mapping[str, tuple[str, ...]]

    @property
    def path(self) -> Path:
        return self.article.path

    @property
    def changed(self) -> bool:
        return self.new != self.old

    def added(self, field: str) -> tuple[str, ...]:
        return tuple(v for v in self.after[field] if v not in self.before[field])

    def removed(self, field: str) -> tuple[str, ...]:
        return tuple(v for v in self.before[field] if v not in self.after[field])


def _written_items(raw: Any, separator: str) -> tuple[list[str], bool]:
    """The values as the file writes them, and whether they are one separated string."""
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(separator) if part.strip()], True
    if isinstance(raw, list):
        return [str(item).strip() for item in raw if item is not None and str(item).strip()], False
    if raw is None:
        return [], False
    return [str(raw).strip()], False


def _editable(raw: Any) -> bool:
    """Can kbtool rewrite this value without losing something the writer put there?"""
    if raw is None or isinstance(raw, str):
        return True
    if isinstance(raw, list):
        return all(item is None or isinstance(item, (str, int, float)) for item in raw)
    return False


def _new_raw(
    raw: Any, wanted: Sequence[str], value_map: Mapping[str, str], separator: str
) -> list[str] | str:
    """The front-matter value that reads back (through `value_map`) as `wanted`."""
    items, as_string = _written_items(raw, separator)
    by_value: dict[str, str] = {}
    for item in items:
        by_value.setdefault(value_map.get(item, item), item)
    reverse: dict[str, str] = {}
    for written, value in value_map.items():
        reverse.setdefault(value, written)
    out = []
    for value in wanted:
        if value in by_value:
            out.append(by_value[value])
        elif value in reverse:  # the repository's own spelling of the value
            out.append(reverse[value])
        else:
            out.append(value)
    if as_string:
        joiner = (
            separator + " " if separator.strip() and separator == separator.strip() else separator
        )
        return joiner.join(out)
    return out


def prepare_change(
    article: Article, config: Config, after: Mapping[str, Sequence[str]]
) -> TagChange:
    """The edit giving `article` the stages and channels of `after` (canonical values).

    Raises ConflictError when the file changed since it was loaded, InputError
    when its front matter cannot be edited safely or the edit would not read
    back as meant (nothing is written then).
    """
    try:
        old = article.path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=article.path) from None
    if content_hash(old) != article.content_hash:
        raise ConflictError("changed on disk since it was read; not tagged", path=article.path)
    before = {f: tuple(dict.fromkeys(getattr(article, f))) for f in TAG_FIELDS}
    target = {f: tuple(dict.fromkeys(after.get(f, before[f]))) for f in TAG_FIELDS}
    updates: dict[str, Any] = {}
    keys: dict[str, str] = {}
    for field in TAG_FIELDS:
        if target[field] == before[field]:
            continue
        key = article.field_key(field) or config.field_keys(field)[0]
        raw = article.meta.get(key)
        if not _editable(raw):
            raise InputError(
                f"'{key}' is neither a list nor text; fix it by hand before tagging",
                path=article.path,
                line=article.key_line(key),
            )
        keys[field] = key
        updates[key] = _new_raw(
            article.meta.get(key),
            target[field],
            config.fields.values.get(field, {}),
            config.fields.list_separator,
        )
    if not updates:
        return TagChange(article, old, old, MappingProxyType(before), MappingProxyType(before))
    new = edit_front_matter(old, updates, path=article.path)
    _check_reads_back(new, article, config, keys, target)
    return TagChange(article, old, new, MappingProxyType(before), MappingProxyType(target))


def _check_reads_back(
    new: bytes,
    article: Article,
    config: Config,
    keys: Mapping[str, str],
    target: Mapping[str, tuple[str, ...]],
) -> None:
    """Refuse an edit that would read back differently from what was meant."""
    parsed = parse_bytes(article.path, new, max_size=len(new) + 1)
    meta = parsed.meta
    for field, key in keys.items():
        items, _ = _written_items(meta.get(key), config.fields.list_separator)
        value_map = config.fields.values.get(field, {})
        got = tuple(dict.fromkeys(value_map.get(i, i) for i in items))
        if got != target[field]:
            raise InputError(
                f"the {field} would read back as [{', '.join(got)}], not "
                f"[{', '.join(target[field])}]; not written",
                path=article.path,
            )
    others_before = {k: v for k, v in article.meta.items() if k not in keys.values()}
    others_after = {k: v for k, v in meta.items() if k not in keys.values()}
    if others_before != others_after:
        raise InputError(
            "the edit would change other front-matter keys; not written", path=article.path
        )


def set_tags(
    articles: Sequence[Article],
    config: Config,
    *,
    stages: Sequence[str] = (),
    channels: Sequence[str] = (),
    remove: bool = False,
) -> list[TagChange]:
    """Add (or with `remove`, take away) stages and channels in each article."""
    wanted = {"stages": tuple(stages), "channels": tuple(channels)}
    changes = []
    for article in articles:
        after: dict[str, tuple[str, ...]] = {}
        for field in TAG_FIELDS:
            now = tuple(dict.fromkeys(getattr(article, field)))
            if remove:
                after[field] = tuple(v for v in now if v not in wanted[field])
            else:
                after[field] = now + tuple(v for v in dict.fromkeys(wanted[field]) if v not in now)
        changes.append(prepare_change(article, config, after))
    return changes


def changes_for_plans(plans: Sequence[TagPlan], config: Config) -> list[TagChange]:
    """The edits that save what `tags auto` would change."""
    return [prepare_change(p.article, config, p.after) for p in plans if p.changed]


def apply_changes(changes: Sequence[TagChange]) -> list[TagChange]:
    """Write the changed files atomically; returns the ones written.

    Every file is checked unchanged since it was read before any is written, so
    a conflict leaves every file as it was.
    """
    todo = [c for c in changes if c.changed]
    for change in todo:
        try:
            current = change.path.read_bytes()
        except FileNotFoundError:
            raise ConflictError(
                "was deleted since it was read; nothing written", path=change.path
            ) from None
        if content_hash(current) != change.article.content_hash:
            raise ConflictError(
                "changed on disk since it was read; nothing written", path=change.path
            )
    for change in todo:
        write_atomic(change.path, change.new, expected_hash=change.article.content_hash)
    return todo


# --------------------------------------------------------------------------- targets
