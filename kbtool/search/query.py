"""The query syntax for people: words, "phrases", -exclude, field:value."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FIELD_ALIASES", "Clause", "parse_query"]

# What a person may type before the colon, and the index field it means.
FIELD_ALIASES = {
    "title": "title",
    "description": "description",
    "desc": "description",
    "label": "labels",
    "labels": "labels",
    "tag": "labels",
    "tags": "labels",
    "heading": "headings",
    "headings": "headings",
    "body": "body",
    "text": "body",
    "id": "id",
    "type": "type",
    "section": "section",
    "stage": "stages",
    "stages": "stages",
    "channel": "channels",
    "channels": "channels",
    "status": "status",
    "owner": "owner",
    "area": "product_area",
    "product_area": "product_area",
    "locale": "locale",
}

_CLAUSE = re.compile(r'(-)?(?:([A-Za-z_]+):)?(?:"([^"]*)"?|(\S+))')


@dataclass(frozen=True)
class Clause:
    """One part of a query: a word or a phrase, maybe negated, maybe limited to a field."""

    text: str
    field: str | None = None  # an index field (see FIELD_ALIASES); None: every text field
    phrase: bool = False
    negated: bool = False


def parse_query(query: str) -> tuple[Clause, ...]:
    """Split a query into clauses. Never fails: what is not syntax is words.

    `reset "sign in" -google type:how-to` gives the word `reset`, the phrase
    `sign in`, the excluded word `google` and the filter type = how-to. A field
    name that kbtool does not know (`error:404`) is kept as part of the word.
    """
    out: list[Clause] = []
    for match in _CLAUSE.finditer(query):
        minus, name, quoted, bare = match.groups()
        field = FIELD_ALIASES.get(name.lower()) if name else None
        if name and field is None:
            # not a field: the whole thing is a word (`error:404`)
            text = f"{name}:{quoted if quoted is not None else bare or ''}"
            out.append(Clause(text, None, quoted is not None, bool(minus)))
            continue
        if quoted is not None:
            if quoted.strip():
                out.append(Clause(quoted.strip(), field, True, bool(minus)))
            continue
        if bare is None or bare == "-":
            continue
        out.append(Clause(bare, field, False, bool(minus)))
    return tuple(out)
