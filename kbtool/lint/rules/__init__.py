"""Lint rules, one module per family; importing this package registers them all.

KB1xx front matter, KB2xx structure, KB3xx links and media, KB4xx language and
style, KB5xx SEO, KB6xx review and translation. A retired code is never reused.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
