"""`kbtool init` and `kbtool new`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from kbtool.cli.app import app, get_state


@app.command("init")
def init_command(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="Folder to create the knowledge base in.", file_okay=False)
    ] = Path(),
    name: Annotated[str, typer.Option("--name", help="Name of the help center.")] = "Help Center",
    locale: Annotated[str, typer.Option("--locale", "-l", help="Language of the articles.")] = "en",
) -> None:
    """Scaffold a knowledge base: kbtool.toml, articles/, templates/, .gitignore.

    Refuses to overwrite any existing file (nothing is written then).

    \b
    Examples:
      kbtool init my-help-center --name "Acme Help"
      kbtool init . --locale sv
    """
    from kbtool.authoring import init_kb

    state = get_state(ctx)
    written = init_kb(directory, name=name, locale=locale, today=dt.date.today())
    for path in written:
        typer.echo(str(path))
    state.info(
        f"[green]Created a knowledge base in {directory}.[/] Next: "
        f'cd {directory} && kbtool new "Your first article" --section getting-started'
    )


@app.command("new")
def new_command(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="Title of the new article.")],
    kind: Annotated[
        str, typer.Option("--type", "-t", help="Content type; picks templates/<type>.md.")
    ] = "how-to",
    section: Annotated[
        str | None,
        typer.Option(
            "--section",
            "-s",
            show_default=False,
            help="Section folder, created if missing (default: kb.default_section).",
        ),
    ] = None,
    locale: Annotated[
        str | None,
        typer.Option(
            "--locale", "-l", help="Locale (default: the default locale).", show_default=False
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option("--owner", help="Person or team accountable for reviews.", show_default=False),
    ] = None,
    article_id: Annotated[
        str | None,
        typer.Option(
            "--id", help="Id and file name (default: from the title).", show_default=False
        ),
    ] = None,
) -> None:
    """Create an article from a template with its front matter filled in; prints its path.

    Fills in id, title, type, owner and today's date as the last review. Refuses to
    overwrite an existing file.

    \b
    Examples:
      kbtool new "Reset your password" --section account --owner account-team
      kbtool new "Why was I charged twice?" --type faq --section billing --locale sv
    """
    from kbtool.authoring import new_article

    state = get_state(ctx)
    config = state.load_config()
    created = new_article(
        config,
        title,
        kind=kind,
        section=section,
        locale=locale,
        owner=owner,
        today=dt.date.today(),
        article_id=article_id,
    )
    shown = (
        created.path.relative_to(Path.cwd())
        if created.path.is_relative_to(Path.cwd())
        else created.path
    )
    typer.echo(str(shown))
