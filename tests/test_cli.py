"""The CLI's wiring: global options, exit codes, help, and `kbtool articles`."""

from __future__ import annotations

import csv
import inspect
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from cliutil import article, lines, run, write_kb

import kbtool
from kbtool.cli import app

COLOR = re.compile(r"\x1b\[(?:\d+;)*3[0-9](?:;\d+)*m")  # a foreground colour


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A small two-language knowledge base, no git."""
    return write_kb(
        tmp_path / "kb",
        {
            "articles/en/account/reset-password.md": article(
                id="reset-password",
                title="Reset your password",
                type="how-to",
                stages=["new", "experienced"],
                channels=["search", "answer-bot"],
                owner="account-team",
                last_reviewed="2026-01-10",
            ),
            "articles/en/account/delete-account.md": article(
                title="Delete your account",
                type="how-to",
                stages=["experienced"],
                channels=["agent"],
                owner="account-team",
                status="draft",
            ),
            "articles/en/billing/refunds.md": article(
                title="Refunds, explained",
                type="faq",
                stages=["prospective"],
                channels=["search"],
                owner="billing-team",
                last_reviewed="2026-02-01",
            ),
            "articles/sv/account/reset-password.md": article(
                id="reset-password",
                title="Återställ ditt lösenord",
                type="how-to",
                stages=["new"],
                channels=["search"],
                translation_of="reset-password",
            ),
        },
    )


def ids(result_stdout: str) -> list[str]:
    return [f"{a['locale']}/{a['id']}" for a in json.loads(result_stdout)["articles"]]


# --------------------------------------------------------------------------- help


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every command and sub-command (click objects, as typer vendors click)."""
    found = []
    ctx = typer.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        found.append(((*path, name), command))
        if hasattr(command, "list_commands"):
            found.extend(_commands(command, (*path, name)))
    return found


ALL_COMMANDS = _commands(typer.main.get_command(app))


def test_the_expected_commands_are_registered() -> None:
    names = {path[0] for path, _ in ALL_COMMANDS}
    assert {"init", "new", "articles", "config"} <= names


def test_main_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: kbtool [OPTIONS] COMMAND [ARGS]...")
    for option in (
        "--root",
        "-C",
        "--config",
        "--quiet",
        "--verbose",
        "--no-color",
        "--version",
        "--debug",
    ):
        assert re.search(rf"(^|\s|,){re.escape(option)}\b", result.stdout), option
    section = result.stdout.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    listed = [line.split()[0] for line in section.splitlines()]
    assert listed == [path[0] for path, _ in ALL_COMMANDS if len(path) == 1]
    assert "Exit codes:" in result.stdout


@pytest.mark.parametrize(
    ("path", "command"), ALL_COMMANDS, ids=[" ".join(p) for p, _ in ALL_COMMANDS]
)
def test_every_command_has_help_with_examples(path: tuple[str, ...], command: Any) -> None:
    assert command.help and command.help.strip(), "no help text"
    assert command.get_short_help_str().strip()
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Examples:" in result.stdout
    examples = _examples(command.help)
    assert examples, "the Examples section has no example"
    # each example is printed whole on its own line, not re-wrapped into a paragraph
    printed = {line.strip() for line in result.stdout.splitlines()}
    for example in examples:
        assert example.startswith("kbtool "), example
        assert example in printed, f"{example!r} was re-wrapped; put a \\b line before Examples:"


def _examples(help_text: str) -> list[str]:
    after = help_text.split("Examples:", 1)[1]
    return [
        line.strip()
        for line in inspect.cleandoc(after).splitlines()
        if line.strip().startswith("kbtool")
    ]


def test_examples_in_new_help_print_one_per_line() -> None:
    out = run("new", "--help").stdout.splitlines()
    start = out.index("  Examples:")
    assert out[start + 1 : start + 3] == [
        '    kbtool new "Reset your password" --section account --owner account-team',
        '    kbtool new "Why was I charged twice?" --type faq --section billing --locale sv',
    ]


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"kbtool {kbtool.__version__}\n"


def test_no_command_prints_usage() -> None:
    result = run()
    assert result.exit_code == 2
    assert "Usage: kbtool" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- exit codes


def test_bad_option_is_a_usage_error(kb: Path) -> None:
    result = run("-C", str(kb), "articles", "--frobnicate")
    assert result.exit_code == 2
    assert "No such option: --frobnicate" in result.stderr
    assert result.stdout == ""


def test_bad_option_value_is_a_usage_error(kb: Path) -> None:
    result = run("-C", str(kb), "articles", "--format", "yaml")
    assert result.exit_code == 2
    assert "Invalid value for '--format' / '-f'" in result.stderr


def test_unknown_path_is_an_input_error(kb: Path) -> None:
    result = run("-C", str(kb), "articles", str(kb / "articles/en/nope"))
    assert result.exit_code == 2
    assert result.stderr == f"kbtool: error: {kb / 'articles/en/nope'}: no such file or folder\n"
    assert result.stdout == ""


def test_root_that_does_not_exist(tmp_path: Path) -> None:
    result = run("-C", str(tmp_path / "missing"), "articles")
    assert result.exit_code == 2
    assert result.stderr == f"kbtool: error: {tmp_path / 'missing'}: not a folder (--root)\n"


def test_missing_articles_folder(tmp_path: Path) -> None:
    result = run("-C", str(tmp_path), "articles")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kbtool: error: {tmp_path.resolve() / 'articles'}: ")
    assert "articles folder not found" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def _break_select(monkeypatch: pytest.MonkeyPatch) -> None:
    import kbtool.inventory

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(kbtool.inventory, "select", boom)


def test_internal_error_is_short_without_debug(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _break_select(monkeypatch)
    result = run("-C", str(kb), "articles")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "kbtool: error: internal error: RuntimeError: boom",
        "kbtool: error: this is a bug in kbtool; run again with --debug for the traceback and "
        "report it",
    ]
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize("how", ["--debug", "KBTOOL_DEBUG"])
def test_internal_error_traceback_with_debug(
    kb: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    _break_select(monkeypatch)
    if how == "--debug":
        result = run("--debug", "-C", str(kb), "articles")
    else:
        result = run("-C", str(kb), "articles", env={"KBTOOL_DEBUG": "1"})
    assert result.exit_code == 3
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert result.stderr.rstrip().endswith("RuntimeError: boom")
    assert "in boom" in result.stderr


def test_os_error_on_a_named_file_is_exit_2(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kbtool.corpus.edit

    def denied(path: Path, data: bytes, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(kbtool.corpus.edit, "write_atomic", denied)
    out = kb / "out.json"
    result = run("-C", str(kb), "articles", "-f", "json", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr == f"kbtool: error: {out}: Permission denied\n"


def test_keyboard_interrupt(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kbtool.inventory

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(kbtool.inventory, "select", interrupted)
    result = run("-C", str(kb), "articles")
    assert result.exit_code == 130
    assert result.stderr == "kbtool: error: interrupted\n"


# --------------------------------------------------------------------------- global options


def test_root_is_found_upwards_from_the_current_folder(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (kb / "kbtool.toml").write_text('[kb]\nname = "Found"\n', encoding="utf-8")
    monkeypatch.chdir(kb / "articles" / "en" / "billing")
    result = run("articles", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["root"] == str(kb.resolve())


def test_config_option_sets_the_root_to_its_folder(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (kb / "other.toml").write_text('[kb]\ndefault_locale = "sv"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("--config", str(kb / "other.toml"), "config", "-f", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["root"] == str(kb.resolve())
    assert payload["config"]["kb"]["default_locale"] == "sv"


def test_colour_on_a_colour_terminal_and_its_off_switches(kb: Path) -> None:
    force = {"FORCE_COLOR": "1"}
    coloured = run("-C", str(kb), "articles", env=force)
    assert coloured.exit_code == 0
    assert COLOR.search(coloured.stdout)  # draft status is yellow
    plain = run("--no-color", "-C", str(kb), "articles", env=force)
    assert plain.exit_code == 0
    assert not COLOR.search(plain.stdout)
    no_color_env = run("-C", str(kb), "articles", env={**force, "NO_COLOR": "1"})
    assert not COLOR.search(no_color_env.stdout)
    assert "draft" in plain.stdout and "draft" in no_color_env.stdout


def test_quiet_and_verbose_are_accepted(kb: Path) -> None:
    out = kb / "list.csv"
    loud = run("-v", "-C", str(kb), "articles", "-f", "csv", "-o", str(out))
    assert loud.exit_code == 0
    assert loud.stderr == f"Wrote {out}\n"
    quiet = run("--quiet", "-C", str(kb), "articles", "-f", "csv", "-o", str(out))
    assert quiet.exit_code == 0
    assert quiet.stderr == ""
    assert out.read_text(encoding="utf-8").startswith("id,locale,title,")


# --------------------------------------------------------------------------- kbtool articles


def test_articles_table(kb: Path) -> None:
    result = run("-C", str(kb), "articles")
    assert result.exit_code == 0, result.output
    rows = [line for line in lines(result.stdout) if line.startswith("│")]
    assert [row.split("│")[1].strip() for row in rows] == [
        "delete-account",
        "reset-password",
        "refunds",
        "reset-password",
    ]
    assert "│ Återställ ditt lösenord │" in result.stdout
    assert lines(result.stdout)[-1] == "4 article(s) (en 3, sv 1); no load problems"
    assert result.stderr == ""


def test_articles_json_schema(kb: Path) -> None:
    result = run("-C", str(kb), "articles", "--format", "json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["schema"] == "kbtool.articles/1"
    assert payload["root"] == str(kb.resolve())
    assert payload["summary"] == {"articles": 4, "by_locale": {"en": 3, "sv": 1}, "problems": 0}
    assert payload["problems"] == []
    first = payload["articles"][1]
    assert first == {
        "id": "reset-password",
        "path": "articles/en/account/reset-password.md",
        "locale": "en",
        "title": "Reset your password",
        "description": None,
        "type": "how-to",
        "section": "account",
        "stages": ["new", "experienced"],
        "channels": ["search", "answer-bot"],
        "labels": [],
        "owner": "account-team",
        "status": "published",
        "last_reviewed": "2026-01-10",
        "review_every": None,
        "product_area": None,
        "translation_of": None,
        "last_edited": None,
        "last_author": None,
    }
    assert payload["articles"][3]["translation_of"] == "reset-password"


def test_articles_csv(kb: Path) -> None:
    result = run("-C", str(kb), "articles", "--format", "csv", "--locale", "en")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "id",
        "locale",
        "title",
        "type",
        "section",
        "stages",
        "channels",
        "owner",
        "last_reviewed",
        "status",
        "path",
    ]
    assert [r["id"] for r in rows] == ["delete-account", "reset-password", "refunds"]
    assert rows[1]["stages"] == "new;experienced"
    assert rows[2]["title"] == "Refunds, explained"
    assert rows[0]["last_reviewed"] == ""
    assert rows[2]["path"] == "articles/en/billing/refunds.md"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--locale", "sv"], ["sv/reset-password"]),
        (["--locale", "en,sv", "--type", "faq"], ["en/refunds"]),
        (
            ["--type", "how-to", "--type", "faq"],
            ["en/delete-account", "en/reset-password", "en/refunds", "sv/reset-password"],
        ),
        (["--section", "billing"], ["en/refunds"]),
        (["--stage", "experienced"], ["en/delete-account", "en/reset-password"]),
        (
            ["--stage", "prospective", "--stage", "new"],
            ["en/reset-password", "en/refunds", "sv/reset-password"],
        ),
        (["--channel", "answer-bot"], ["en/reset-password"]),
        (["--owner", "billing-team"], ["en/refunds"]),
        (["--status", "draft"], ["en/delete-account"]),
        (
            ["--status", "published", "--section", "account", "--locale", "en"],
            ["en/reset-password"],
        ),
        (["--owner", "nobody"], []),
    ],
)
def test_articles_filters(kb: Path, options: list[str], expected: list[str]) -> None:
    result = run("-C", str(kb), "articles", "-f", "json", *options)
    assert result.exit_code == 0, result.output
    assert ids(result.stdout) == expected


def test_articles_paths_limit_the_inventory(kb: Path) -> None:
    result = run(
        "-C",
        str(kb),
        "articles",
        "-f",
        "json",
        str(kb / "articles/en/account"),
        str(kb / "articles/sv/account/reset-password.md"),
    )
    assert result.exit_code == 0, result.output
    assert ids(result.stdout) == ["en/delete-account", "en/reset-password", "sv/reset-password"]


def test_articles_table_summary_counts_the_selection(kb: Path) -> None:
    result = run("-C", str(kb), "articles", "--locale", "sv")
    assert lines(result.stdout)[-1] == "1 article(s) (sv 1) of 4; no load problems"


def test_articles_output_file(kb: Path) -> None:
    out = kb / "inventory.json"
    result = run("-C", str(kb), "articles", "-f", "json", "--output", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert ids(out.read_text(encoding="utf-8"))[0] == "en/delete-account"
    table = kb / "inventory.txt"
    assert run("-C", str(kb), "articles", "-o", str(table)).exit_code == 0
    text = table.read_text(encoding="utf-8")
    assert "Reset your password" in text
    assert "\x1b[" not in text
    folder = run("-C", str(kb), "articles", "-o", str(kb))
    assert folder.exit_code == 2


@pytest.fixture
def broken_kb(kb: Path) -> Path:
    write_kb(
        kb,
        {
            "articles/en/billing/broken.md": "---\ntitle: [unclosed\n---\nBody\n",
            "articles/en/billing/binary.md": b"\x00\x01\x02",
        },
    )
    return kb


def test_load_problems_are_listed_after_the_table(broken_kb: Path) -> None:
    result = run("-C", str(broken_kb), "articles")
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    heading = out.index("Load problems")
    assert out[heading - 1].endswith("load problem(s)")
    problems = out[heading + 1 :]
    assert len(problems) == 2
    assert problems[0].startswith("articles/en/billing/binary.md:1:1: error: binary file")
    assert re.match(r"articles/en/billing/broken\.md:[23]:\d+: error: invalid YAML", problems[1])


def test_load_problems_in_json(broken_kb: Path) -> None:
    result = run("-C", str(broken_kb), "articles", "-f", "json")
    payload = json.loads(result.stdout)
    assert [(p["path"], p["severity"], p["code"]) for p in payload["problems"]] == [
        ("articles/en/billing/binary.md", "error", "binary"),
        ("articles/en/billing/broken.md", "error", "yaml"),
    ]
    assert payload["problems"][0]["line"] == 1
    assert payload["problems"][1]["line"] in (2, 3)  # the open list, or where YAML noticed
    assert payload["summary"]["problems"] == 2


def test_load_problems_go_to_stderr_with_csv(broken_kb: Path) -> None:
    result = run("-C", str(broken_kb), "articles", "-f", "csv")
    assert result.exit_code == 0
    assert "binary.md" not in result.stdout
    assert "articles/en/billing/binary.md:1:1: error: binary file" in result.stderr


def test_strict_fails_on_load_errors_only(broken_kb: Path, kb: Path) -> None:
    strict = run("-C", str(broken_kb), "articles", "--strict")
    assert strict.exit_code == 1
    assert "Load problems" in strict.stdout
    (broken_kb / "articles/en/billing/broken.md").unlink()
    (broken_kb / "articles/en/billing/binary.md").unlink()
    # a warning (a BOM) does not fail --strict
    (kb / "articles/en/billing/bom.md").write_bytes(b"\xef\xbb\xbf---\ntitle: BOM\n---\n")
    ok = run("-C", str(kb), "articles", "--strict", "-f", "json")
    assert ok.exit_code == 0, ok.output
    assert [p["severity"] for p in json.loads(ok.stdout)["problems"]] == ["warning"]


def test_no_traceback_anywhere(broken_kb: Path, tmp_path: Path) -> None:
    for args in (
        ["-C", str(broken_kb), "articles"],
        ["-C", str(broken_kb), "articles", "--strict"],
        ["-C", str(tmp_path / "nope"), "config"],
        ["-C", str(broken_kb), "new", "X", "--type", "nope"],
        ["-C", str(broken_kb), "articles", "--bad"],
    ):
        result = run(*args)
        assert "Traceback" not in result.output, args
        assert result.exception is None or isinstance(result.exception, SystemExit), args
