"""Reference documentation generated from the code, so it cannot drift.

`python -m kbtool.reference` rewrites the generated parts of README.md and
docs/configuration.md; a test fails when they are out of date.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from kbtool.config import Config, iter_options

__all__ = ["config_reference", "update_file"]

_SECTION_DOCS = {
    name: re.sub(r"^`\[\w+\]`:\s*", "", (cls.__doc__ or "").strip().splitlines()[0])
    for name, cls in (
        (f, type(getattr(Config(), f)))
        for f in ("kb", "fields", "taxonomy", "review", "tags", "lint", "search", "site")
    )
}


def _value(value: Any) -> str:
    if value in ((), [], {}, ""):
        return "—"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > 60:
        text = text[:57] + "…"
    return f"`{text}`"


def config_reference() -> str:
    """Markdown tables of every `kbtool.toml` key: type, default, meaning."""
    out: list[str] = []
    current = None
    for key, kind, default, doc in iter_options():
        top = key.split(".", 1)[0]
        if top != current:
            current = top
            about = _SECTION_DOCS.get(top, "")
            out.append(f"\n### `[{top}]`\n\n{about[:1].upper() + about[1:]}\n")
            out.append("| key | type | default | meaning |")
            out.append("| --- | --- | --- | --- |")
        if kind == "array of tables" or "." not in key:
            continue
        name = key.split(".", 1)[1]
        doc_text = " ".join(doc.split()).replace("|", "\\|")
        out.append(f"| `{name}` | {kind} | {_value(default)} | {doc_text} |")
    return "\n".join(out).strip() + "\n"


_MARKER = re.compile(
    r"(<!-- generated: config-reference -->\n).*?(<!-- end generated -->)", re.DOTALL
)


def update_file(path: Path, *, check: bool = False) -> bool:
    """Rewrite the generated block of `path`; True when it changed (or would change)."""
    text = path.read_text(encoding="utf-8")
    new = _MARKER.sub(lambda m: m.group(1) + "\n" + config_reference() + "\n" + m.group(2), text)
    if new == text:
        return False
    if not check:
        path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    check = "--check" in argv
    root = Path(__file__).resolve().parents[1]
    stale = [
        p
        for p in (root / "README.md", root / "docs" / "configuration.md")
        if p.is_file() and update_file(p, check=check)
    ]
    for path in stale:
        print(f"{'out of date' if check else 'updated'}: {path}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
