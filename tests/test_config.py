"""kbtool.toml: schema and defaults, validation with lines and hints, `kbtool config`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from cliutil import run, write_kb

from kbtool.config import (
    CONFIG_FILENAME,
    Config,
    ConfigProblem,
    find_root,
    iter_options,
    load_config,
    parse_config,
)
from kbtool.errors import ConfigError


def problems_of(text: str) -> list[tuple[int | None, str]]:
    _, problems = parse_config(text)
    return [(p.line, p.message) for p in problems]


# --------------------------------------------------------------------------- defaults


def test_no_file_means_all_defaults(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)
    assert problems == []
    assert config.source is None
    assert config.root == tmp_path
    assert config.to_dict() == Config().to_dict()
    assert config.kb.articles_dir == "articles"
    assert config.articles_path == tmp_path / "articles"
    assert config.review.default_interval == "quarterly"
    assert config.fields.date_formats == ("%Y-%m-%d",)
    assert set(config.taxonomy.types) == {
        "how-to",
        "troubleshooting",
        "faq",
        "reference",
        "concept",
        "announcement",
    }


def test_defaults_are_not_shared_between_instances() -> None:
    first, second = Config(), Config()
    first.taxonomy.stages["extra"] = "mutated"
    assert "extra" not in second.taxonomy.stages


def test_values_override_defaults_and_are_typed() -> None:
    config, problems = parse_config(
        '[kb]\nname = "Acme Help"\nlocales = ["en", "sv"]\nmax_file_size = 2048\n'
        '[fields]\nlast_reviewed = "ms.date"\nowner = ["owner", "ms.author"]\n'
        "[search]\nsuggest_threshold = 1\ninclude_drafts = true\n"
        '[[tags.rules]]\nname = "bot"\ntype = "troubleshooting"\nchannels = ["answer-bot"]\n'
    )
    assert problems == []
    assert config.kb.name == "Acme Help"
    assert config.kb.locales == ("en", "sv")
    assert config.kb.max_file_size == 2048
    # a single string where a list is expected is a one-item list
    assert config.field_keys("last_reviewed") == ("ms.date",)
    assert config.field_keys("owner") == ("owner", "ms.author")
    assert config.field_keys("title") == ("title",)
    assert config.search.suggest_threshold == 1.0
    assert isinstance(config.search.suggest_threshold, float)
    assert config.search.include_drafts is True
    (rule,) = config.tags.rules
    assert (rule.name, rule.type, rule.channels) == ("bot", ("troubleshooting",), ("answer-bot",))
    # untouched sections keep their defaults
    assert config.review.due_soon == "14d"


def test_every_option_is_documented() -> None:
    options = list(iter_options())
    keys = [key for key, *_ in options]
    assert "kb.articles_dir" in keys
    assert "review.intervals.section" in keys
    assert "tags.rules[].channels" in keys
    undocumented = [key for key, _type, _default, doc in options if not doc.strip()]
    assert undocumented == []


# --------------------------------------------------------------------------- validation


def test_unknown_section_with_hint() -> None:
    assert problems_of('[kb]\nname = "x"\n\n[reveiw]\ndefault_interval = "monthly"\n') == [
        (4, "unknown key 'reveiw' (did you mean 'review'?)"),
    ]


def test_unknown_key_with_hint_inside_a_table() -> None:
    assert problems_of('[review]\ndue_soon = "7d"\ndefualt_interval = "monthly"\n') == [
        (3, "unknown key 'review.defualt_interval' (did you mean 'default_interval'?)"),
    ]


def test_unknown_key_without_a_close_match_has_no_hint() -> None:
    assert problems_of("[kb]\nflavour = 1\n") == [(2, "unknown key 'kb.flavour'")]


def test_unknown_dotted_key_at_top_level() -> None:
    assert problems_of('colour = "x"\nkb.nmae = "Help"\n') == [
        (1, "unknown key 'colour'"),
        (2, "unknown key 'kb.nmae' (did you mean 'name'?)"),
    ]


def test_wrong_types_name_the_key_and_the_value() -> None:
    text = (
        "[kb]\n"  # 1
        'max_file_size = "big"\n'  # 2
        "locales = 3\n"  # 3
        "[search]\n"  # 4
        'include_drafts = "yes"\n'  # 5
        'boosts = { title = 3, body = "high" }\n'  # 6
        "[review]\n"  # 7
        'intervals = "monthly"\n'  # 8
        "[site]\n"  # 9
        "title = 2026-01-01\n"  # 10
    )
    assert problems_of(text) == [
        (2, "'kb.max_file_size' must be an integer, got the string 'big'"),
        (3, "'kb.locales' must be a list, got an integer"),
        (5, "'search.include_drafts' must be true or false, got the string 'yes'"),
        (6, "'search.boosts.body' must be a number, got the string 'high'"),
        (8, "'review.intervals' must be a table, got the string 'monthly'"),
        (10, "'site.title' must be a string, got a date"),
    ]


def test_booleans_are_not_integers() -> None:
    assert problems_of("[kb]\nmax_file_size = true\n") == [
        (2, "'kb.max_file_size' must be an integer, got a boolean"),
    ]


def test_bad_values() -> None:
    text = (
        "[kb]\n"  # 1
        "max_file_size = 0\n"  # 2
        'locales = ["en", "sv"]\n'  # 3
        'default_locale = "de"\n'  # 4
        "[lint]\n"  # 5
        'fail_on = "warn"\n'  # 6
        "[lint.severity]\n"  # 7
        'KB104 = "fatal"\n'  # 8
        "[fields]\n"  # 9
        'date_formats = ["%d.%m.%Y", "dd/mm/yyyy"]\n'  # 10
        "[fields.values.kind]\n"  # 11
        'article = "concept"\n'  # 12
    )
    assert problems_of(text) == [
        (2, "'kb.max_file_size' must be at least 1, got 0"),
        (4, "default_locale 'de' is not one of kb.locales (en, sv)"),
        (
            6,
            "'lint.fail_on' must be one of error, warning, info, never, got 'warn' "
            "(did you mean 'warning'?)",
        ),
        (8, "severity of KB104 must be error, warning, info or off, got 'fatal'"),
        (10, "date format 'dd/mm/yyyy' has no % directive"),
        (11, "unknown field 'kind' (did you mean 'id'?)"),
    ]


def test_review_intervals_point_at_their_own_line() -> None:
    text = (
        "[review]\n"  # 1
        'default_interval = "quarterly"\n'  # 2
        'due_soon = "soon"\n'  # 3
        "\n"  # 4
        "[review.intervals.section]\n"  # 5
        'billing = "monthly"\n'  # 6
        'account = "every now and then"\n'  # 7
        "\n"  # 8
        "[review.intervals.type]\n"  # 9
        'announcement = "yearly"\n'  # 10
        "faq = -3\n"  # 11
    )
    problems = problems_of(text)
    assert [line for line, _ in problems] == [3, 7, 11]
    assert problems[0][1].startswith("not an interval: 'soon'")
    assert problems[1][1].startswith("not an interval: 'every now and then'")
    assert problems[2][1] == "'review.intervals.type.faq' must be a string, got an integer"


def test_unknown_key_in_review_intervals_table() -> None:
    assert problems_of('[review.intervals.sections]\nbilling = "monthly"\n') == [
        (1, "unknown key 'review.intervals.sections' (did you mean 'section'?)"),
    ]


def test_tag_rules_problems_point_into_the_right_array_entry() -> None:
    text = (
        "[[tags.rules]]\n"  # 1
        'name = "first"\n'  # 2
        'channels = ["answer-bot"]\n'  # 3
        "\n"  # 4
        "[[tags.rules]]\n"  # 5
        'name = "second"\n'  # 6
        'chanels = ["search"]\n'  # 7
        'stages = ["nwe"]\n'  # 8
        "\n"  # 9
        "[[tags.rules]]\n"  # 10
        'name = "third"\n'  # 11
        'type = ["how-to", "howto"]\n'  # 12
        'remove_channels = ["sms"]\n'  # 13
        "words = 3\n"  # 14
    )
    assert problems_of(text) == [
        (7, "unknown key 'tags.rules[1].chanels' (did you mean 'channels'?)"),
        (8, "'nwe' is not in the taxonomy (did you mean 'new'?)"),
        (12, "type 'howto' is not in the taxonomy (did you mean 'how-to'?)"),
        (13, "'sms' is not in the taxonomy"),
        (14, "'tags.rules[2].words' must be a list, got an integer"),
    ]


def test_tag_rules_problem_in_a_rule_without_keys_points_at_its_header() -> None:
    text = '[[tags.rules]]\nname = "a"\n[[tags.rules]]\n[[tags.rules]]\nnmae = "c"\n'
    assert problems_of(text) == [(5, "unknown key 'tags.rules[2].nmae' (did you mean 'name'?)")]


def test_lines_inside_multiline_strings_and_arrays_are_not_keys() -> None:
    text = (
        "[site]\n"  # 1
        'title = """\n'  # 2
        "[kb]\n"  # 3  text, not a table
        "name = 1\n"  # 4  text, not a key
        '"""\n'  # 5
        "popular = [\n"  # 6
        '  "a",  # [kb]\n'  # 7
        '  "b",\n'  # 8
        "]\n"  # 9
        "[kb]\n"  # 10
        "name = 1\n"  # 11
    )
    assert problems_of(text) == [(11, "'kb.name' must be a string, got an integer")]


def test_quoted_and_inline_keys() -> None:
    text = (
        "[lint.per_path_ignores]\n"  # 1
        '"legal/**" = ["KB401"]\n'  # 2
        '"faq/*.md" = 3\n'  # 3
        "[review]\n"  # 4
        'intervals = { section = { billing = "sometimes" } }\n'  # 5
    )
    problems = problems_of(text)
    assert [line for line, _ in problems] == [3, 5]
    assert problems[0][1] == "'lint.per_path_ignores.\"faq/*.md\"' must be a list, got an integer"
    assert problems[1][1].startswith("not an interval: 'sometimes'")


def test_problems_are_in_file_order() -> None:
    text = '[review]\ndue_soon = "soon"\n[kb]\nnmae = "x"\n'
    assert [line for line, _ in problems_of(text)] == [2, 4]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('[kb]\nname = "x"\nname = "y"\n', 3, "invalid TOML: Cannot overwrite a value"),
        ("[kb\nname = 1\n", 1, "invalid TOML: Expected ']' at the end of a table declaration"),
        ('[kb]\n\nname = "unterminated\n', 3, "invalid TOML: "),
        ('[kb]\nlocales = ["en",\n"sv"\n', 3, "invalid TOML: Unclosed array"),
    ],
)
def test_invalid_toml_reports_its_line(text: str, line: int, reason: str) -> None:
    config, problems = parse_config(text)
    assert len(problems) == 1
    assert problems[0].line == line
    assert problems[0].message.startswith(reason)
    assert "(at line" not in problems[0].message
    assert config.to_dict() == Config().to_dict()


def test_problem_text_has_file_and_line(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_text("[kb]\n\nnmae = 1\n", encoding="utf-8")
    _, problems = load_config(tmp_path)
    assert [str(p) for p in problems] == [
        f"{tmp_path / CONFIG_FILENAME}:3: unknown key 'kb.nmae' (did you mean 'name'?)",
    ]
    assert str(ConfigProblem(None, None, "x")) == "kbtool.toml: x"


def test_invalid_values_fall_back_to_defaults() -> None:
    config, problems = parse_config('[kb]\nname = "Acme"\nmax_file_size = "big"\n')
    assert len(problems) == 1
    assert config.kb.name == "Acme"
    assert config.kb.max_file_size == Config().kb.max_file_size


def test_bom_and_crlf_config_loads(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_bytes(b'\xef\xbb\xbf[kb]\r\nname = "BOM"\r\nnmae = 1\r\n')
    config, problems = load_config(tmp_path)
    assert config.kb.name == "BOM"
    assert [(p.line, p.message) for p in problems] == [
        (3, "unknown key 'kb.nmae' (did you mean 'name'?)"),
    ]


def test_config_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_bytes(b'[kb]\nname = "caf\xe9"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.line == 2
    assert "not valid UTF-8" in str(info.value)


def test_explicit_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path, tmp_path / "missing.toml")


def test_find_root_walks_up_to_the_config(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_text("", encoding="utf-8")
    deep = tmp_path / "articles" / "en" / "billing"
    deep.mkdir(parents=True)
    assert find_root(deep) == tmp_path.resolve()
    elsewhere = tmp_path.parent / f"{tmp_path.name}-other"
    elsewhere.mkdir()
    assert find_root(elsewhere) == elsewhere.resolve()


# --------------------------------------------------------------------------- kbtool config


def test_config_command_prints_valid_toml_of_the_effective_config(tmp_path: Path) -> None:
    write_kb(
        tmp_path,
        {
            CONFIG_FILENAME: (
                '[kb]\nname = "Acme Help"\n[review.intervals.section]\nbilling = "monthly"\n'
            ),
            "articles/en/billing/a.md": "---\ntitle: A\n---\n",
            "articles/sv/billing/a.md": "---\ntitle: A\n---\n",
        },
    )
    result = run("-C", str(tmp_path), "config")
    assert result.exit_code == 0, result.output
    header = [line for line in result.stdout.splitlines() if line.startswith("#")]
    assert f"# file:    {tmp_path / CONFIG_FILENAME}" in header
    assert "# locales: en, sv" in header
    data = tomllib.loads(result.stdout)
    assert data["kb"]["name"] == "Acme Help"
    assert data["review"]["intervals"]["section"] == {"billing": "monthly"}
    assert data["review"]["default_interval"] == "quarterly"  # defaults are shown too
    # what it prints is itself a valid configuration that means the same
    reread, problems = parse_config(result.stdout)
    assert problems == []
    assert reread.to_dict() == load_config(tmp_path)[0].to_dict()
    assert "Configuration is valid" in result.stderr


def test_config_command_json(tmp_path: Path) -> None:
    write_kb(tmp_path, {CONFIG_FILENAME: '[site]\ntitle = "Docs"\n', "articles/a.md": "x\n"})
    result = run("-C", str(tmp_path), "config", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["schema"] == "kbtool.config/1"
    assert payload["source"] == str(tmp_path / CONFIG_FILENAME)
    assert payload["root"] == str(tmp_path.resolve())
    assert payload["detected_locales"] == []
    assert payload["problems"] == []
    assert payload["config"]["site"]["title"] == "Docs"
    assert payload["config"] == Config().to_dict() | {
        "site": Config().to_dict()["site"] | {"title": "Docs"},
    }


def test_config_command_without_a_file_shows_defaults(tmp_path: Path) -> None:
    result = run("-C", str(tmp_path), "config", "-f", "json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["source"] is None
    assert payload["config"] == Config().to_dict()


def test_config_command_exits_2_with_one_line_per_problem(tmp_path: Path) -> None:
    write_kb(
        tmp_path,
        {
            CONFIG_FILENAME: (
                "[reveiw]\n"  # 1
                "x = 1\n"  # 2
                "[review]\n"  # 3
                'defualt_interval = "monthly"\n'  # 4
                "[[tags.rules]]\n"  # 5
                'stages = ["nwe"]\n'  # 6
            )
        },
    )
    result = run("-C", str(tmp_path), "config")
    assert result.exit_code == 2
    source = tmp_path / CONFIG_FILENAME
    assert result.stderr.splitlines() == [
        f"kbtool: error: {source}:1: unknown key 'reveiw' (did you mean 'review'?)",
        f"kbtool: error: {source}:4: unknown key 'review.defualt_interval' "
        "(did you mean 'default_interval'?)",
        f"kbtool: error: {source}:6: 'nwe' is not in the taxonomy (did you mean 'new'?)",
    ]
    assert "Traceback" not in result.output
    tomllib.loads(result.stdout)  # the effective configuration is still printed


def test_config_command_json_lists_problems(tmp_path: Path) -> None:
    write_kb(tmp_path, {CONFIG_FILENAME: "[kb]\nmax_file_size = -1\n"})
    result = run("-C", str(tmp_path), "config", "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["problems"] == [
        {
            "line": 2,
            "severity": "error",
            "message": "'kb.max_file_size' must be at least 1, got -1",
        },
    ]


def test_config_command_invalid_toml(tmp_path: Path) -> None:
    write_kb(tmp_path, {CONFIG_FILENAME: '[kb]\nname = "a"\nname = "b"\n'})
    result = run("-C", str(tmp_path), "config")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"kbtool: error: {tmp_path / CONFIG_FILENAME}:3: invalid TOML: Cannot overwrite a value",
    ]


def test_config_option_names_another_file(tmp_path: Path) -> None:
    other = tmp_path / "ci" / "strict.toml"
    write_kb(tmp_path, {"ci/strict.toml": '[lint]\nfail_on = "warning"\n'})
    result = run("--config", str(other), "config", "-f", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["source"] == str(other)
    assert payload["config"]["lint"]["fail_on"] == "warning"
    missing = run("--config", str(tmp_path / "nope.toml"), "config")
    assert missing.exit_code == 2
    assert missing.stderr == (
        f"kbtool: error: {tmp_path / 'nope.toml'}: configuration file not found\n"
    )


def test_config_output_file(tmp_path: Path) -> None:
    out = tmp_path / "effective.toml"
    result = run("-C", str(tmp_path), "config", "--output", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert tomllib.loads(out.read_text(encoding="utf-8"))["kb"]["articles_dir"] == "articles"


def test_commands_refuse_to_run_with_a_bad_config(tmp_path: Path) -> None:
    write_kb(
        tmp_path,
        {
            CONFIG_FILENAME: "[kb]\nmax_file_size = 'x'\n",
            "articles/a.md": "---\ntitle: A\n---\n",
        },
    )
    result = run("-C", str(tmp_path), "articles")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"kbtool: error: {tmp_path / CONFIG_FILENAME}:2: 'kb.max_file_size' must be an integer, "
        "got the string 'x'\n"
    )
