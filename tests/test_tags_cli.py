"""`kbtool tags`: wiring, output formats and exit codes, on `tests/fixtures/tags-basic`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cliutil import article, lines, run, write_kb

FIXTURE_CHANGES = [
    "articles/en/help/api-keys.md",
    "  + stage experienced  (rule 'api-docs')",
    "  + channel in-product  (rule 'widget-areas')",
    "articles/en/help/cant-sign-in.md",
    "  + channel answer-bot  (rule 'bot-answers-problems')",
    "articles/en/help/slow-pages.md",
    "  + channel answer-bot  (rule 'bot-answers-problems')",
    "articles/en/start/create-account.md",
    "  + stage prospective  (rule 'buying-words')",
    "articles/en/start/pricing.md",
    "  + stage new  (rule 'start-here-is-new')",
    "articles/sv/start/create-account.md",
    "  - channel search  (rule 'swedish-is-not-searched')",
    "articles/sv/start/invite-team.md",
    "  + stage new  (rule 'start-here-is-new')",
]


@pytest.fixture
def kb(kb_dir) -> Path:  # type: ignore[no-untyped-def]
    root: Path = kb_dir("tags-basic")
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.md")}


# --------------------------------------------------------------------------- auto


def test_auto_shows_each_change_and_the_rule_behind_it(kb: Path) -> None:
    before = _snapshot(kb)
    result = run("-C", str(kb), "tags", "auto")
    assert result.exit_code == 0, result.output
    assert lines(result.stdout) == FIXTURE_CHANGES
    assert "7 of 9 article(s) would change (7 value(s) added, 1 removed)" in result.stderr
    assert "--write" in result.stderr
    assert _snapshot(kb) == before  # nothing written without --write


def test_auto_explain_lists_every_matching_rule_with_its_reasons(kb: Path) -> None:
    result = run("-C", str(kb), "tags", "auto", "--explain", "articles/en")
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert out[:4] == [
        "articles/en/help/api-keys.md",
        "  + stage experienced  (rule 'api-docs')",
        "  + channel in-product  (rule 'widget-areas')",
        "  rule 4 'widget-areas': product_area: developers/api -> +in-product",
    ]
    assert "  rule 5 'api-docs': label 'API'; title has 'keys' -> +experienced" in out
    # a matching rule whose values are already there is shown, with no change
    i = out.index("articles/en/news/new-widget.md")
    assert out[i + 1 : i + 3] == [
        "  rule 7 'news-by-email': section news; type announcement -> +email (already set)",
        "  no change",
    ]
    assert not any(line.startswith("articles/sv") for line in out)  # PATHS limit the run


def test_auto_check_exits_1_with_the_list_then_0_after_write(kb: Path) -> None:
    check = run("-C", str(kb), "tags", "auto", "--check")
    assert check.exit_code == 1
    assert "7 article(s) lack tags the rules imply (--check)" in check.stderr
    assert "  articles/en/help/api-keys.md: +experienced, +in-product" in check.stderr
    assert "  articles/sv/start/create-account.md: -search" in check.stderr

    write = run("-C", str(kb), "tags", "auto", "--write")
    assert write.exit_code == 0, write.output
    assert "7 of 9 article(s) changed" in write.stderr

    again = run("-C", str(kb), "tags", "auto", "--check")
    assert again.exit_code == 0, again.output
    assert again.stdout == ""


def test_auto_write_changes_only_the_tag_values(kb: Path) -> None:
    before = _snapshot(kb)
    assert run("-C", str(kb), "tags", "auto", "--write").exit_code == 0
    after = _snapshot(kb)
    changed = sorted(k for k in before if before[k] != after[k])
    assert changed == [
        "articles/en/help/api-keys.md",
        "articles/en/help/cant-sign-in.md",
        "articles/en/help/slow-pages.md",
        "articles/en/start/create-account.md",
        "articles/en/start/pricing.md",
        "articles/sv/start/create-account.md",
        "articles/sv/start/invite-team.md",
    ]
    # a string stays a string, a block list a block list (comment kept), CRLF stays CRLF
    assert b"stages: prospective, new\n" in after["articles/en/start/pricing.md"]
    assert b'channels: "search, agent"\n' in after["articles/en/start/pricing.md"]
    assert after["articles/en/help/cant-sign-in.md"] == before[
        "articles/en/help/cant-sign-in.md"
    ].replace(
        b"  - search   # from the sign-in page\r\n",
        b"  - search\r\n  - answer-bot   # from the sign-in page\r\n",
    ) or after["articles/en/help/cant-sign-in.md"] == before[
        "articles/en/help/cant-sign-in.md"
    ].replace(b"  - search   # from the sign-in page", b"  - search\r\n  - answer-bot")
    assert b"\r\n" in after["articles/en/help/cant-sign-in.md"]
    assert b"\n" not in after["articles/en/help/cant-sign-in.md"].replace(b"\r\n", b"")
    assert after["articles/en/start/create-account.md"] == before[
        "articles/en/start/create-account.md"
    ].replace(
        b"stages: [new]\n",
        b"stages: [new, prospective]\n",
    )
    # new keys go at the end of the front matter
    assert after["articles/en/help/api-keys.md"].endswith(
        b"status: published\nstages: [experienced]\nchannels: [in-product]\n---\n\n"
        b"Open **Settings > API** and select **New key**.\n"
    )
    assert after["articles/sv/start/create-account.md"] == before[
        "articles/sv/start/create-account.md"
    ].replace(b"channels: [search, in-product]", b"channels: [in-product]")


def test_auto_json_document(kb: Path) -> None:
    result = run("-C", str(kb), "tags", "auto", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == "kbtool.tags-auto/1"
    assert doc["written"] is False
    assert doc["summary"] == {"articles": 9, "matched": 8, "changed": 7, "added": 7, "removed": 1}
    assert doc["rules"][0] == {"index": 1, "name": "bot-answers-problems"}
    api = doc["articles"][0]
    assert api["path"] == "articles/en/help/api-keys.md"
    assert api["added"] == {"stages": ["experienced"], "channels": ["in-product"]}
    assert api["rules"][1]["reasons"] == ["label 'API'", "title has 'keys'"]


def test_auto_write_and_check_together_is_a_usage_error(kb: Path) -> None:
    result = run("-C", str(kb), "tags", "auto", "--write", "--check")
    assert result.exit_code == 2
    assert result.stderr.strip() == "kbtool: error: give --write or --check, not both"


def test_auto_skips_archived_articles_unless_asked(kb: Path) -> None:
    assert "old-editor" not in run("-C", str(kb), "tags", "auto").stdout
    result = run("-C", str(kb), "tags", "auto", "--include-archived")
    assert "articles/en/help/old-editor.md" in lines(result.stdout)


def test_auto_without_rules_warns(tmp_path: Path) -> None:
    write_kb(tmp_path, {"articles/a.md": article(title="A", type="how-to")})
    result = run("-C", str(tmp_path), "tags", "auto", "--check")
    assert result.exit_code == 0
    assert "no [[tags.rules]]" in result.stderr


def test_auto_write_refuses_a_file_it_cannot_edit_and_writes_nothing(tmp_path: Path) -> None:
    write_kb(
        tmp_path,
        {
            "kbtool.toml": '[[tags.rules]]\ntype = ["faq"]\nchannels = ["answer-bot"]\n',
            "articles/a.md": article(title="A", type="faq"),
            "articles/b.md": article(title="B", type="faq", channels="{search: 1}"),
        },
    )
    before = _snapshot(tmp_path)
    result = run("-C", str(tmp_path), "tags", "auto", "--write")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    (message,) = result.stderr.strip().splitlines()
    assert message.startswith("kbtool: error: ")
    assert "b.md:4: 'channels' is neither a list nor text" in message
    assert _snapshot(tmp_path) == before  # a.md was not written either


# --------------------------------------------------------------------------- set / unset


def test_set_by_path_adds_values_and_keeps_the_rest(kb: Path) -> None:
    path = kb / "articles/en/start/create-account.md"
    before = path.read_bytes()
    result = run(
        "-C", str(kb), "tags", "set", str(path), "--stage", "prospective", "--channel", "email"
    )
    assert result.exit_code == 0, result.output
    assert lines(result.stdout) == [
        "Tagged 1 article(s):",
        "  articles/en/start/create-account.md: +stage prospective, +channel email",
    ]
    assert path.read_bytes() == before.replace(
        b"stages: [new]", b"stages: [new, prospective]"
    ).replace(b"channels: [search]  #", b"channels: [search, email]  #")


def test_set_by_id_needs_a_locale_when_it_is_ambiguous(kb: Path) -> None:
    ambiguous = run("-C", str(kb), "tags", "set", "create-account", "--channel", "agent")
    assert ambiguous.exit_code == 2
    assert "several locales (en, sv)" in ambiguous.stderr
    result = run(
        "-C", str(kb), "tags", "set", "create-account", "--locale", "sv", "--channel", "agent"
    )
    assert result.exit_code == 0, result.output
    assert (
        "channels: [search, in-product, agent]"
        in (kb / "articles/sv/start/create-account.md").read_text()
    )


def test_set_with_a_glob_is_a_batch_that_needs_yes(kb: Path) -> None:
    refused = run("-C", str(kb), "tags", "set", "articles/*/start/*.md", "--channel", "agent")
    assert refused.exit_code == 2
    assert "pass --yes" in refused.stderr
    result = run(
        "-C", str(kb), "tags", "set", "articles/*/start/*.md", "--channel", "agent", "--yes"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Tagged 3 article(s):"  # pricing already has it


def test_set_with_filters_and_dry_run_writes_nothing(kb: Path) -> None:
    before = _snapshot(kb)
    result = run(
        "-C", str(kb), "tags", "set", "--type", "troubleshooting", "--channel", "agent", "-n"
    )
    assert result.exit_code == 0, result.output
    assert "+++ b/articles/en/help/cant-sign-in.md" in result.stdout
    assert "+++ b/articles/en/help/old-editor.md" in result.stdout
    assert "+channels: [agent]" in result.stdout
    assert "would change 3 of 3 article(s)" in result.stderr
    assert _snapshot(kb) == before


def test_set_refuses_values_outside_the_taxonomy(kb: Path) -> None:
    result = run("-C", str(kb), "tags", "set", "pricing", "--stage", "prospektive")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "kbtool: error: --stage: stage 'prospektive' is not in the taxonomy; "
        "did you mean 'prospective'?"
    )


def test_set_needs_values_and_targets(kb: Path) -> None:
    assert run("-C", str(kb), "tags", "set", "pricing").exit_code == 2
    result = run("-C", str(kb), "tags", "set", "--stage", "new")
    assert result.exit_code == 2
    assert "say which articles" in result.stderr


def test_set_names_an_unknown_target(kb: Path) -> None:
    result = run("-C", str(kb), "tags", "set", "no-such-thing", "--stage", "new")
    assert result.exit_code == 2
    assert "'no-such-thing': no such file, folder, glob or article id" in result.stderr
    glob = run("-C", str(kb), "tags", "set", "articles/**/nothing-*.md", "--stage", "new")
    assert glob.exit_code == 2
    assert "the glob matches no article" in glob.stderr


def test_set_on_a_broken_file_is_a_one_line_error(tmp_path: Path) -> None:
    broken = "---\ntitle: [unclosed\nstages: [new]\n---\nText.\n"
    write_kb(tmp_path, {"articles/a.md": broken, "articles/b.md": article(title="B")})
    result = run("-C", str(tmp_path), "tags", "set", "articles/a.md", "--stage", "new")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    (message,) = result.stderr.strip().splitlines()
    assert message.startswith("kbtool: error: ")
    assert message.endswith("a.md:3: front matter cannot be edited safely: invalid YAML front "
                            "matter: did not find expected ',' or ']'")  # fmt: skip
    assert (tmp_path / "articles/a.md").read_text() == broken


def test_unset_removes_values(kb: Path) -> None:
    path = kb / "articles/en/start/pricing.md"
    result = run("-C", str(kb), "tags", "unset", str(path), "--channel", "search")
    assert result.exit_code == 0, result.output
    assert 'channels: "agent"\n' in path.read_text()
    nothing = run("-C", str(kb), "tags", "unset", str(path), "--channel", "search")
    assert nothing.exit_code == 0
    assert "already have it" in nothing.stderr


def test_set_writes_a_mapped_key_with_the_repository_spelling(tmp_path: Path) -> None:
    config = (
        '[fields]\nstages = "audience"\n'
        '[fields.values.stages]\nbeginner = "new"\n'  # the repository writes "beginner"
    )
    write_kb(
        tmp_path,
        {
            "kbtool.toml": config,
            "articles/a.md": article(title="A", audience=["beginner"]),
            "articles/b.md": article(title="B"),
        },
    )
    for name in ("a", "b"):
        result = run(
            "-C", str(tmp_path), "tags", "set", f"articles/{name}.md", "--stage", "experienced"
        )
        assert result.exit_code == 0, result.output
    assert "audience: [beginner, experienced]" in (tmp_path / "articles/a.md").read_text()
    assert "audience: [experienced]" in (tmp_path / "articles/b.md").read_text()
    added = run("-C", str(tmp_path), "tags", "set", "articles/b.md", "--stage", "new")
    assert added.exit_code == 0, added.output
    # "new" is written as the repository spells it, so it reads back as new
    assert "audience: [experienced, beginner]" in (tmp_path / "articles/b.md").read_text()


# --------------------------------------------------------------------------- suggest


def test_suggest_prints_proposals_with_evidence(kb: Path) -> None:
    result = run("-C", str(kb), "tags", "suggest", "articles/en/help/api-keys.md")
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert out[0] == "articles/en/help/api-keys.md  Create API keys"
    assert out[1].startswith("  stages: experienced (0.9")
    assert "    experienced: rule 'api-docs' (label 'API'; title has 'keys') [0.90]" in out
    assert any(line.startswith("  channels: in-product (0.9") for line in out)


def test_suggest_json(kb: Path) -> None:
    result = run("-C", str(kb), "tags", "suggest", "--format", "json", "--min-confidence", "0.5")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == "kbtool.tags-suggest/1"
    assert doc["min_confidence"] == 0.5
    paths = [a["path"] for a in doc["articles"]]
    assert "articles/en/help/old-editor.md" not in paths  # archived: only when named
    assert all(p["confidence"] >= 0.5 for a in doc["articles"] for p in a["proposals"])
    first = doc["articles"][0]["proposals"][0]
    assert set(first) == {"field", "value", "confidence", "evidence"}
    assert set(first["evidence"][0]) == {"kind", "detail", "weight"}


def test_suggest_writes_nothing(kb: Path) -> None:
    before = _snapshot(kb)
    assert run("-C", str(kb), "tags", "suggest", "--all").exit_code == 0
    assert _snapshot(kb) == before


# --------------------------------------------------------------------------- matrix


def test_matrix_table(kb: Path) -> None:
    result = run("-C", str(kb), "tags", "matrix")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Tagfix Help: All published articles (8)" in out
    row = next(line for line in out.splitlines() if "│ new " in line)
    assert [c.strip() for c in row.split("│")[1:-1]] == [
        "new",
        "2",
        "1 !",
        "0 ·",
        "0 ·",
        "0 ·",
        "2",
    ]
    assert "prospective × email: no article" in out
    assert "3 article(s) lack a stage or a channel" in out


def test_matrix_json_counts(kb: Path) -> None:
    result = run("-C", str(kb), "tags", "matrix", "--format", "json", "--by", "locale")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == "kbtool.tags-matrix/1"
    assert (doc["by"], doc["thin"], doc["articles"]) == ("locale", 2, 8)
    assert [s["value"] for s in doc["stages"]] == ["prospective", "new", "experienced"]
    assert doc["channels"][0] == {
        "value": "search",
        "description": "Organic search engines and the help center's own search.",
    }
    en, sv = doc["groups"]
    assert (en["group"], en["articles"], en["untagged"]) == ("en", 6, 2)
    cell = next(c for c in sv["cells"] if (c["stage"], c["channel"]) == ("new", "in-product"))
    assert cell == {
        "stage": "new",
        "channel": "in-product",
        "count": 1,
        "state": "thin",
        "articles": ["sv/start/create-account.md"],
    }
    assert {"group": "sv", "stage": "prospective", "channel": "email", "count": 0,
            "state": "empty"} in doc["gaps"]  # fmt: skip


def test_matrix_csv_and_markdown(kb: Path) -> None:
    result = run("-C", str(kb), "tags", "matrix", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 15
    assert rows[0] == {
        "group": "", "stage": "prospective", "channel": "search", "count": "1", "state": "thin"
    }  # fmt: skip
    md = run("-C", str(kb), "tags", "matrix", "--format", "markdown").stdout
    assert "| new | 2 | 1 (thin) | **0** (empty) | **0** (empty) | **0** (empty) |" in md
    assert "- prospective × email: no article" in md


def test_matrix_html_is_a_heatmap_with_escaped_names(kb: Path) -> None:
    config = kb / "kbtool.toml"
    config.write_text(config.read_text().replace('"Tagfix Help"', '"Tagfix <b>Help</b>"'))
    out = kb / "coverage.html"
    result = run("-C", str(kb), "tags", "matrix", "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "Tagfix &lt;b&gt;Help&lt;/b&gt;" in page and "<b>Help</b>" not in page
    assert '<table class="heatmap">' in page
    assert '<td class="empty"' in page and '<td class="thin' in page
    assert 'title="en/start/create-account.md\nsv/start/create-account.md">2</td>' in page


def test_matrix_min_is_a_ci_gate(kb: Path) -> None:
    failing = run("-C", str(kb), "tags", "matrix", "--min", "1", "--format", "csv")
    assert failing.exit_code == 1
    assert "9 cell(s) with fewer than 1 article(s) (--min 1)" in failing.stderr
    passing = run(
        "-C", str(kb), "tags", "matrix", "--min", "2", "--section", "start", "--format", "csv"
    )
    assert passing.exit_code == 1
    only_new_search = run(
        "-C", str(kb), "tags", "matrix", "--min", "1", "--with-rules", "--format", "json"
    )
    assert only_new_search.exit_code == 1
    assert json.loads(only_new_search.stdout)["implied"] is True


def test_matrix_min_passes_when_every_cell_is_covered(tmp_path: Path) -> None:
    config = '[taxonomy.stages]\nnew = "New"\n[taxonomy.channels]\nsearch = "Search"\n'
    write_kb(
        tmp_path,
        {
            "kbtool.toml": config,
            "articles/a.md": article(title="A", stages=["new"], channels=["search"]),
        },
    )
    result = run("-C", str(tmp_path), "tags", "matrix", "--min", "1")
    assert result.exit_code == 0, result.output
    assert "No gaps" in result.stdout


def test_every_tags_command_has_help_with_examples() -> None:
    for command in ("set", "unset", "auto", "suggest", "matrix"):
        result = run("tags", command, "--help")
        assert result.exit_code == 0
        assert "Examples:" in result.stdout
        assert f"kbtool tags {command}" in result.stdout
