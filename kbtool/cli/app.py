"""The Typer application: global options, shared state and error handling.

Commands live in sibling modules, one per command group; each parses options,
calls one core function and prints. Heavy modules (Rich, the corpus loader)
are imported inside commands so `kbtool --help` stays fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from kbtool import __version__
from kbtool.errors import KbError

if TYPE_CHECKING:
    from rich.console import Console

    from kbtool.config import Config, ConfigProblem
    from kbtool.corpus import Corpus

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class ConfigInvalid(KbError):
    """The configuration has errors; each is printed on its own line."""

    def __init__(self, problems: list[ConfigProblem]):
        super().__init__(f"{len(problems)} error(s) in the configuration")
        self.problems = problems


class KbGroup(TyperGroup):
    """Turns the core's exceptions into exit codes: 2 for KbError, 3 for a bug."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # keep the order commands were added: a tour, not A-Z

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except ConfigInvalid as exc:
            for problem in exc.problems:
                _error(str(problem))
            raise typer.Exit(EXIT_USAGE) from None
        except KbError as exc:
            _error(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        except KeyboardInterrupt:
            _error("interrupted")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # the reader went away (`kbtool articles | head`): not an error
            _quiet_broken_pipe()
            raise typer.Exit(EXIT_OK) from None
        except OSError as exc:
            if exc.filename is None:
                _internal_error(ctx, exc)
            # a file the user named or gave us cannot be read or written: permissions, disk full
            where = exc.filename if exc.filename2 is None else f"{exc.filename} -> {exc.filename2}"
            _error(f"{where}: {exc.strerror or exc}")
            raise typer.Exit(EXIT_USAGE) from None
        except Exception as exc:
            if type(exc).__module__.startswith(("click", "typer")):
                raise  # usage errors: the framework prints them and exits 2
            _internal_error(ctx, exc)


def _internal_error(ctx: Any, exc: BaseException) -> NoReturn:
    """A bug: a short message, the traceback only with --debug (or KBTOOL_DEBUG); exit 3."""
    state = ctx.find_object(State) if ctx is not None else None
    debug = (state.debug if state else "--debug" in sys.argv) or os.environ.get("KBTOOL_DEBUG")
    if debug:
        traceback.print_exception(exc)
    else:
        _error(f"internal error: {type(exc).__name__}: {exc}")
        _error("this is a bug in kbtool; run again with --debug for the traceback and report it")
    raise typer.Exit(EXIT_INTERNAL) from None


def _quiet_broken_pipe() -> None:
    """Point stdout at devnull so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _error(message: str) -> None:
    typer.echo(f"kbtool: error: {message}", err=True)


app = typer.Typer(
    name="kbtool",
    cls=KbGroup,
    # no help=: it would hide main_callback's docstring (exit codes, examples)
    epilog="Run 'kbtool COMMAND --help' for a command's options and examples.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # Plain help: Rich-formatted help imports Rich and takes --help past 0.3 s.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@dataclass
class State:
    """Global options and lazily loaded configuration and corpus for one invocation."""

    root_option: Path | None = None
    config_file: Path | None = None
    quiet: bool = False
    verbose: bool = False
    color: bool = True
    debug: bool = False
    _config: Config | None = field(default=None, repr=False)
    _problems: list[ConfigProblem] = field(default_factory=list, repr=False)

    @property
    def root(self) -> Path:
        from kbtool.config import find_root

        if self.root_option is not None:
            root = self.root_option
            if not root.is_dir():
                raise KbError("not a folder (--root)", path=root)
            return root.resolve()
        if self.config_file is not None:
            return self.config_file.resolve().parent
        return find_root(Path.cwd())

    def load_config(self, *, strict: bool = True) -> Config:
        """The configuration; with `strict`, refuse to go on when it has errors."""
        if self._config is None:
            from kbtool.config import load_config

            self._config, self._problems = load_config(self.root, self.config_file)
        errors = [p for p in self._problems if p.severity == "error"]
        if strict and errors:
            raise ConfigInvalid(errors)
        return self._config

    @property
    def config_problems(self) -> list[ConfigProblem]:
        self.load_config(strict=False)
        return self._problems

    def load_corpus(
        self, paths: list[Path] | None = None, *, with_git: bool = True, cache: bool = True
    ) -> Corpus:
        """The articles, taking files unchanged since the last run from the cache in
        `.kbtool/cache/` (`cache=False` or KBTOOL_NO_CACHE=1 parse every file)."""
        from kbtool.corpus import load_corpus
        from kbtool.corpus.cache import CorpusCache

        config = self.load_config()
        use_cache = cache and os.environ.get("KBTOOL_NO_CACHE", "") in ("", "0")
        store = CorpusCache.open(config.root) if use_cache else None
        with self.status("Loading articles"):
            return load_corpus(config, paths=paths or (), with_git=with_git, cache=store)

    def console(self, *, stderr: bool = False) -> Console:
        from rich.console import Console

        stream = sys.stderr if stderr else sys.stdout
        # Piped output is read by scripts and pagers: do not squeeze tables into 80 columns.
        wide = None if stream.isatty() or os.environ.get("COLUMNS") else 200
        return Console(
            stderr=stderr,
            no_color=not self.color,
            highlight=False,
            soft_wrap=False,
            width=wide,
        )

    @property
    def interactive(self) -> bool:
        """Whether someone watches stderr: a terminal, not --quiet, not CI (CI=true)."""
        ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
        return not (self.quiet or ci) and sys.stderr.isatty()

    def status(self, message: str) -> Any:
        """A spinner on a terminal; nothing when piped, quiet or in CI."""
        import contextlib

        if not self.interactive:
            return contextlib.nullcontext()
        return self.console(stderr=True).status(message)

    def progress(self, label: str, *, minimum: int = 0) -> ProgressBar:
        """A progress bar on stderr for long work, fed with `bar(done, total)`.

        Drawn only when `interactive`, and only for at least `minimum` items (fewer
        finish before a bar is worth drawing); use it as a context manager so the
        bar is removed when the work ends or fails.
        """
        return ProgressBar(self, label, minimum=minimum, enabled=self.interactive)

    def info(self, message: str, *, markup: bool = False) -> None:
        """A message for the person at the terminal (stderr); silenced by --quiet.

        Plain text unless `markup` (Rich's `[green]...[/]`): a path with brackets
        in it is printed as it is, and Rich is not imported for a "Wrote FILE".
        """
        if self.quiet:
            return
        if markup:
            self.console(stderr=True).print(message)
        else:
            typer.echo(message, err=True)

    def warn(self, message: str) -> None:
        """A warning on stderr; --quiet silences it (errors always print)."""
        if not self.quiet:
            typer.echo(f"kbtool: warning: {message}", err=True)


class ProgressBar:
    """A transient Rich progress bar on stderr; a no-op when disabled. See `State.progress`."""

    def __init__(self, state: State, label: str, *, minimum: int, enabled: bool):
        self.state = state
        self.label = label
        self.minimum = minimum
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._progress is None:
            if total < self.minimum:
                self.enabled = False
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn(self.label),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=self.state.console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=total)
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def get_state(ctx: typer.Context) -> State:
    state = ctx.find_object(State)
    if state is None:  # a command invoked without the root callback (tests)
        state = State()
        ctx.obj = state
    return state


def emit(state: State, text: str | bytes, output: Path | None) -> None:
    """Write command data to `--output FILE` (atomically) or stdout.

    `text` may come as UTF-8 bytes already (a report read back from a cache).
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    if output is None:
        if data and not data.endswith(b"\n"):
            data += b"\n"
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from kbtool.corpus.edit import write_atomic

    if output.is_dir():
        raise KbError("is a folder; give a file name for --output", path=output)
    write_atomic(output, data, durable=False)  # a report: made again by running again
    state.info(f"Wrote {output}")


def fail(message: str) -> NoReturn:
    """A usage or input error from the CLI layer itself (exit 2)."""
    raise KbError(message)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kbtool {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            "-C",
            help="Knowledge-base root (default: nearest folder "
            "upwards with kbtool.toml, else the current folder).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Configuration file (default: ROOT/kbtool.toml).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only data and errors.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print more detail.")] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colours (also when NO_COLOR is set).")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an internal error.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Lint, search, review and publish a help center kept as Markdown in Git.

    Exit codes: 0 success, 1 a check failed, 2 usage/configuration/input error,
    3 internal error (a bug; --debug shows the traceback).

    \b
    Examples:
      kbtool init my-help-center
      kbtool -C my-help-center articles --format json
      kbtool --config ci/kbtool.toml config
    """
    ctx.obj = State(
        root_option=root,
        config_file=config,
        quiet=quiet,
        verbose=verbose,
        color=not (no_color or bool(os.environ.get("NO_COLOR"))),
        debug=debug,
    )
