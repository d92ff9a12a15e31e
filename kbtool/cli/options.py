"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Paths = Annotated[
    list[Path] | None,
    typer.Argument(help="Limit to these files or folders (default: all articles).",
                   show_default=False),
]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to FILE instead of stdout.", dir_okay=False,
                  show_default=False),
]
Locale = Annotated[list[str] | None, typer.Option("--locale", "-l", help="Only this locale (repeatable).", show_default=False)]
Type = Annotated[list[str] | None, typer.Option("--type", "-t", help="Only this content type (repeatable).", show_default=False)]
Section = Annotated[list[str] | None, typer.Option("--section", "-s", help="Only this section (repeatable).", show_default=False)]
Stage = Annotated[list[str] | None, typer.Option("--stage", help="Only articles for this journey stage (repeatable).", show_default=False)]
Channel = Annotated[list[str] | None, typer.Option("--channel", help="Only articles for this channel (repeatable).", show_default=False)]
Owner = Annotated[list[str] | None, typer.Option("--owner", help="Only articles of this owner (repeatable).", show_default=False)]
Status = Annotated[list[str] | None, typer.Option("--status", help="Only this status: draft, published, archived (repeatable).", show_default=False)]


def values(option: list[str] | None) -> tuple[str, ...]:
    """Repeatable option values, also accepting comma-separated lists (`--locale en,sv`)."""
    out: list[str] = []
    for item in option or ():
        out.extend(part.strip() for part in item.split(",") if part.strip())
    return tuple(out)
