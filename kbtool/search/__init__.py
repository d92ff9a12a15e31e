"""Search: the Whoosh index, analysis per language, search, the answer bot, evaluation.

The API other commands use (`kbtool report`, `kbtool gaps`, the site):

    from kbtool.search import open_engine
    with open_engine(config) as engine:          # builds or updates .kbtool/index/ first
        results = engine.search("reset password", locale="en")
        suggestion = engine.suggest("I can't log in", body="...", locale=None)
        for hit in suggestion.hits: hit.id, hit.confidence, hit.reason

`suggest_tickets()` runs the answer bot over many tickets with one open index;
`stop_words()`, `query_stop_words()`, `synonym_groups()` and `language_for()`
expose the analysis for other tools (the site's client-side search).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kbtool.search.analysis import Language, language_for, query_stop_words, stop_words, terms
    from kbtool.search.engine import (
        Filters,
        SearchEngine,
        SearchHit,
        SearchResults,
        Snippet,
        SuggestHit,
        Suggestion,
        open_engine,
        synonym_groups,
    )
    from kbtool.search.evaluate import (
        Case,
        EvalReport,
        Ticket,
        TicketReport,
        evaluate,
        read_cases,
        read_tickets,
        suggest_tickets,
    )
    from kbtool.search.store import IndexCorrupt, IndexStore, UpdateReport

# Imported on first use: `kbtool index` needs the store, not the query engine (start-up
# time counts for an incremental update).
_MODULES = {
    "analysis": ("Language", "language_for", "query_stop_words", "stop_words", "terms"),
    "engine": (
        "Filters",
        "SearchEngine",
        "SearchHit",
        "SearchResults",
        "Snippet",
        "SuggestHit",
        "Suggestion",
        "open_engine",
        "synonym_groups",
    ),
    "evaluate": (
        "Case",
        "EvalReport",
        "Ticket",
        "TicketReport",
        "evaluate",
        "read_cases",
        "read_tickets",
        "suggest_tickets",
    ),
    "store": ("IndexCorrupt", "IndexStore", "UpdateReport"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'kbtool.search' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"kbtool.search.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Case",
    "EvalReport",
    "Filters",
    "IndexCorrupt",
    "IndexStore",
    "Language",
    "SearchEngine",
    "SearchHit",
    "SearchResults",
    "Snippet",
    "SuggestHit",
    "Suggestion",
    "Ticket",
    "TicketReport",
    "UpdateReport",
    "evaluate",
    "language_for",
    "open_engine",
    "query_stop_words",
    "read_cases",
    "read_tickets",
    "stop_words",
    "suggest_tickets",
    "synonym_groups",
    "terms",
]
