"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

Paths = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Limit to these files or folders (default: all articles).",
        metavar="PATHS",
        show_default=False,
    ),
]
Output = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to FILE instead of stdout.",
        dir_okay=False,
        metavar="FILE",
        show_default=False,
    ),
]


def _filter(*names: str, help: str, metavar: str) -> Any:
    return typer.Option(*names, help=f"{help} (repeatable).", metavar=metavar, show_default=False)


Locale = Annotated[
    list[str] | None, _filter("--locale", "-l", help="Only this locale", metavar="LOCALE")
]
Type = Annotated[
    list[str] | None, _filter("--type", "-t", help="Only this content type", metavar="TYPE")
]
Section = Annotated[
    list[str] | None, _filter("--section", "-s", help="Only this section", metavar="SECTION")
]
Stage = Annotated[
    list[str] | None,
    _filter("--stage", help="Only articles for this journey stage", metavar="STAGE"),
]
Channel = Annotated[
    list[str] | None,
    _filter("--channel", help="Only articles for this channel", metavar="CHANNEL"),
]
Owner = Annotated[
    list[str] | None, _filter("--owner", help="Only articles of this owner", metavar="OWNER")
]
Status = Annotated[
    list[str] | None,
    _filter("--status", help="Only this status: draft, published, archived", metavar="STATUS"),
]


def values(option: list[str] | None) -> tuple[str, ...]:
    """Repeatable option values, also accepting comma-separated lists (`--locale en,sv`)."""
    out: list[str] = []
    for item in option or ():
        out.extend(part.strip() for part in item.split(",") if part.strip())
    return tuple(out)
