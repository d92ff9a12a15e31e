"""The taxonomy of the classifying fields: which values are allowed and what was probably meant.

One implementation for everything that validates `type`, `stages`, `channels`
and `status` against `[taxonomy]`: the linter (KB107) and the `tags` commands.
Values are compared after the field mapping (`[fields.values]`), since that is
what kbtool reads; a problem also names the value as the file writes it when
the mapping changed it, so the writer can find it.

A field whose taxonomy table is empty in the configuration is not checked: the
knowledge base does not use it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kbtool.config import Config
    from kbtool.corpus.model import Article

__all__ = [
    "TAXONOMY_FIELDS",
    "TaxonomyProblem",
    "allowed_values",
    "check_value",
    "invalid_values",
    "suggest",
]

# canonical field -> the `[taxonomy]` table holding its allowed values
_TABLES = {"type": "types", "stages": "stages", "channels": "channels", "status": "statuses"}
TAXONOMY_FIELDS: tuple[str, ...] = tuple(_TABLES)


@dataclass(frozen=True, order=True)
class TaxonomyProblem:
    """A value of a classifying field that the taxonomy does not have."""

    field: str  # canonical field name: type, stages, channels or status
    value: str  # the value as kbtool reads it (after `[fields.values]`)
    suggestion: str | None = None  # the allowed value probably meant
    raw: str | None = None  # the value as the file writes it, when the mapping changed it
    key: str | None = None  # the front-matter key that holds the field
    allowed: tuple[str, ...] = ()  # the values the taxonomy has for the field

    @property
    def message(self) -> str:
        """`type 'how_to' (ms.topic) is not in the taxonomy; did you mean 'how-to'?`"""
        shown = f"{_NOUNS[self.field]} '{self.value}'"
        if self.raw is not None and self.raw != self.value:
            shown += f" (written '{self.raw}')"
        if self.key and self.key != self.field:
            shown += f" in '{self.key}'"
        text = f"{shown} is not in the taxonomy"
        if self.suggestion:
            return f"{text}; did you mean '{self.suggestion}'?"
        if self.allowed and len(self.allowed) <= 8:
            return f"{text} ({', '.join(self.allowed)})"
        return text


_NOUNS = {"type": "type", "stages": "stage", "channels": "channel", "status": "status"}


def allowed_values(config: Config, field: str) -> tuple[str, ...]:
    """The values `[taxonomy]` allows for canonical `field` (empty: not checked)."""
    table: Mapping[str, str] = getattr(config.taxonomy, _TABLES[field])
    return tuple(table)


def suggest(value: str, allowed: tuple[str, ...] | list[str]) -> str | None:
    """The allowed value `value` was probably meant to be, by spelling (difflib).

    Letter case and `_`/space for `-` are forgiven first: `How_To` means `how-to`.
    """
    if not allowed:
        return None
    folded = {_fold(a): a for a in allowed}
    if _fold(value) in folded:
        return folded[_fold(value)]
    close = difflib.get_close_matches(_fold(value), list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None


def _fold(text: str) -> str:
    return text.strip().lower().replace("_", "-").replace(" ", "-")


def check_value(config: Config, field: str, value: str) -> TaxonomyProblem | None:
    """A problem when `value` is not allowed for `field`; None when it is (or is unchecked)."""
    allowed = allowed_values(config, field)
    if not allowed or value in allowed:
        return None
    return TaxonomyProblem(field, value, suggest(value, allowed), allowed=allowed)


def invalid_values(article: Article, config: Config) -> list[TaxonomyProblem]:
    """Every value of `article`'s classifying fields that the taxonomy does not allow.

    Only fields the front matter states are checked (a missing `status` takes
    `fields.status_default`, which is the configuration's business).
    """
    problems: list[TaxonomyProblem] = []
    for field in TAXONOMY_FIELDS:
        key = article.field_key(field)
        if key is None:
            continue
        allowed = allowed_values(config, field)
        if not allowed:
            continue
        values: tuple[str, ...]
        if field in ("stages", "channels"):
            values = getattr(article, field)
        else:
            values = (getattr(article, field) or "",)
        value_map = config.fields.values.get(field, {})
        written = _written(
            article.meta.get(key),
            config.fields.list_separator if field in ("stages", "channels") else None,
        )
        for value in dict.fromkeys(values):
            if not value or value in allowed:
                continue
            raw = next((w for w in written if w != value and value_map.get(w) == value), None)
            problems.append(
                TaxonomyProblem(field, value, suggest(value, allowed), raw, key, allowed)
            )
    return problems


def _written(raw: object, separator: str | None) -> list[str]:
    """The values as the file writes them (before `[fields.values]`); lists split."""
    if isinstance(raw, list):
        return [str(item).strip() for item in raw]
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(separator)] if separator else [raw.strip()]
    return [] if raw is None else [str(raw)]
