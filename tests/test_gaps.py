"""`kbtool gaps`: reading search logs and ticket exports, the answered-or-not decision,
topic grouping on a small labelled log, suggested actions, and the CLI on the sample."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from cliutil import run
from conftest import FIXTURES

from kbtool.config import load_config
from kbtool.corpus import load_corpus
from kbtool.errors import InputError, UsageError
from kbtool.report.gaps import ActionKind, LogKind, find_gaps, read_log
from kbtool.search import open_engine

REPO = Path(__file__).resolve().parents[1]
LABELLED = FIXTURES / "report-gaps" / "searches.csv"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- reading


def test_detects_columns_of_a_common_export(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "log.csv",
        "Search Term,Total Searches,Avg Results,Clicks,Language\n"
        "reset password,1204,5,120,en\n"
        "Reset  Password,6,5,0,en\n"
        "glömt lösenord,3,2,1,sv\n",
    )
    log = read_log(path)
    assert dict(log.columns) == {
        "query": "Search Term",
        "count": "Total Searches",
        "results": "Avg Results",
        "clicks": "Clicks",
        "locale": "Language",
    }
    # letter case and spacing fold into one query; counts and clicks add up
    first = log.queries[0]
    assert (first.text, first.count, first.clicks, first.locale) == (
        "reset password",
        1210,
        120,
        "en",
    )
    assert log.volume == 1213 and log.rows == 3


def test_one_row_per_search_semicolons_and_given_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", "when;term\n1;invoice\n2;Invoice\n3;refund\n")
    log = read_log(path, columns=("term",))
    assert [(q.text, q.count) for q in log.queries] == [("invoice", 2), ("refund", 1)]


@pytest.mark.parametrize(
    "text",
    [
        '[{"query": "invoice", "count": 3}, {"query": "refund"}]',
        '{"queries": [{"query": "invoice", "count": 3}, {"query": "refund"}]}',
        '{"query": "invoice", "count": 3}\n{"query": "refund"}\n',
        '["invoice", "invoice", "invoice", "refund"]',
    ],
)
def test_json_json_lines_and_plain_lists(tmp_path: Path, text: str) -> None:
    log = read_log(write(tmp_path, "log.json", text))
    assert [(q.text, q.count) for q in log.queries] == [("invoice", 3), ("refund", 1)]


def test_ticket_export_columns_like_suggest(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "tickets.csv",
        "Ticket ID,Subject,Description,Language\n1,Invoice,Where is my March invoice?,en-US\n",
    )
    log = read_log(path, kind=LogKind.TICKETS)
    assert dict(log.columns) == {"subject": "Subject", "body": "Description", "locale": "Language"}
    (ticket,) = log.queries
    assert (ticket.text, ticket.body, ticket.locale) == (
        "Invoice",
        "Where is my March invoice?",
        "en-US",
    )


@pytest.mark.parametrize(
    ("name", "content", "message", "line"),
    [
        ("empty.csv", "", "no queries in the file", None),
        ("nohead.csv", "when,who\n1,2\n", "no query column (columns: when, who)", 1),
        ("count.csv", "query,count\nrefund,3\ninvoice,lots\n", "count is not a number: 'lots'", 3),
        ("neg.csv", "query,count\nrefund,-3\n", "count must be zero or more", 2),
        ("bin.csv", b"query\n\x00\x01\x02", "binary file", None),
        ("latin1.csv", b"query\nr\xe9sum\xe9\n", "not valid UTF-8", 2),
        ("bad.json", '[{"query": "x"},\n  {"query": }]', "bad JSON", 2),
        ("obj.json", '{"a": [1], "b": [2]}', "without one list of queries", 1),
        ("item.json", '[{"query": "x"}, 3]', "item 2 is not an object", 2),
    ],
)
def test_bad_input_names_file_and_line(
    tmp_path: Path, name: str, content: str | bytes, message: str, line: int | None
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(InputError) as caught:
        read_log(path)
    assert message in caught.value.message
    assert caught.value.path == path and caught.value.line == line


def test_unknown_named_column_and_too_many_names(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", "query,count\nrefund,3\n")
    with pytest.raises(InputError, match="no 'term' column for the query"):
        read_log(path, columns=("term",))
    with pytest.raises(UsageError, match="at most 3 names"):
        read_log(path, kind=LogKind.TICKETS, columns=("a", "b", "c", "d"))


# --------------------------------------------------------------------------- deciding and grouping


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The gaps of the labelled log on the `basic` fixture (Parcelly), answered in English."""
    import shutil

    root = tmp_path_factory.mktemp("gaps") / "kb"
    shutil.copytree(FIXTURES / "basic", root)
    config, _ = load_config(root)
    corpus = load_corpus(config, with_git=False)
    with open_engine(config) as engine:
        return find_gaps(engine, corpus, read_log(LABELLED), locale="en")


def _labels() -> dict[str, str]:
    import csv

    with LABELLED.open(encoding="utf-8") as handle:
        return {row["query"].casefold(): row["topic"] for row in csv.DictReader(handle)}


def test_answered_queries_are_not_gaps(labelled) -> None:  # type: ignore[no-untyped-def]
    labels = _labels()
    in_topics = {q.casefold() for t in labelled.topics for q, _ in t.queries}
    answered = {q for q, topic in labels.items() if topic == "answered"}
    assert not answered & in_topics
    assert labelled.answered_volume == 40 + 22 + 5 + 18
    assert labelled.volume == sum(
        int(line.split(",")[1]) for line in LABELLED.read_text().splitlines()[1:]
    )


def test_topics_match_the_labels(labelled) -> None:  # type: ignore[no-untyped-def]
    labels = _labels()
    by_label: dict[str, set[int]] = defaultdict(set)
    for i, topic in enumerate(labelled.topics):
        for query, _ in topic.queries:
            by_label[labels[query.casefold()]].add(i)
    # every labelled topic is one topic, and no two labels share one
    assert all(len(found) == 1 for found in by_label.values()), by_label
    assert len({next(iter(v)) for v in by_label.values()}) == len(by_label)
    assert set(by_label) == {
        "tracking", "tracking-number", "customs-declaration", "customs-form", "insurance"
    }  # fmt: skip


def test_topics_are_ranked_by_volume_with_the_common_wording_first(labelled) -> None:  # type: ignore[no-untyped-def]
    volumes = [t.volume for t in labelled.topics]
    assert volumes == sorted(volumes, reverse=True)
    first = labelled.topics[0]
    assert first.label == "track my parcel" and first.volume == 30 + 3 + 9 + 4
    assert "trak parcel" in {q for q, _ in first.queries}  # a misspelling joins its topic
    insurance = next(t for t in labelled.topics if t.label == "parcel insurance")
    assert insurance.volume == 11 + 4 + 2 + 1  # "Parcel  Insurance" folded in


def test_actions_name_an_article_or_a_new_one(labelled) -> None:  # type: ignore[no-untyped-def]
    for topic in labelled.topics:
        action = topic.action
        if action.kind is ActionKind.NEW_ARTICLE:
            assert action.article is None
        else:
            assert action.article and action.article.endswith(".md")
        if action.kind is ActionKind.ADD_LABELS:
            assert action.words and all(w in action.text for w in action.words)
    kinds = {t.label: t.action.kind for t in labelled.topics}
    assert kinds["customs form"] is ActionKind.NEW_ARTICLE


# --------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample() -> dict:  # type: ignore[type-arg]
    result = run("-C", str(REPO), "gaps", "examples/search-log.csv", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_sample_search_log_shows_useful_gaps(sample: dict) -> None:  # type: ignore[type-arg]
    assert sample["schema"] == "kbtool.gaps/1" and sample["schema_version"] == 1
    summary = sample["summary"]
    assert summary["rows"] >= 200 and summary["volume"] > 5000
    assert set(summary["by_locale"]) == {"en", "sv", "zh-cn"}
    topics = {t["label"]: t for t in sample["topics"]}
    # real topics the sample help center has no article for
    assert topics["multiple locations"]["action"]["kind"] == "new-article"
    assert topics["sso"]["action"]["kind"] == "new-article"
    # a draft would answer it; a misspelling needs a synonym
    assert topics["dashboard slow"]["action"]["article"] == "en/troubleshooting/slow-dashboard.md"
    assert topics["dashboard slow"]["action"]["kind"] == "publish-draft"
    assert topics["invocie"]["action"]["kind"] == "add-synonyms"
    assert topics["invocie"]["action"]["words"] == ["invocie=invoice"]
    assert [u["query"] for u in sample["unclicked"]] == ["add user", "change card", "stop emails"]


def test_sample_tickets_table(tmp_path: Path) -> None:
    result = run("-C", str(REPO), "gaps", "--tickets", "examples/tickets.csv", "--limit", "5")
    assert result.exit_code == 0, result.stderr
    assert "suggested action" in result.stdout and "tickets" in result.stdout
    assert "more topics (--limit 0 shows all)" in result.stdout
    assert "Too vague to search" in result.stdout


def test_sample_markdown_and_csv(tmp_path: Path) -> None:
    out = tmp_path / "gaps.md"
    result = run(
        "-C", str(REPO), "gaps", "examples/search-log.csv", "-f", "markdown", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Content gaps in examples/search-log.csv")
    assert "| 1 | multiple locations (en) | 71 |" in text
    csv_out = run("-C", str(REPO), "gaps", "examples/search-log.csv", "-f", "csv")
    header, first = csv_out.stdout.splitlines()[:2]
    assert header.startswith("rank,topic,locale,volume")
    assert first.startswith("1,multiple locations,en,71,")


def test_cli_bad_log_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = write(tmp_path, "log.csv", "query,count\nrefund,many\n")
    result = run("-C", str(REPO), "gaps", str(bad), "--no-update")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"kbtool: error: {bad}:2: count is not a number: 'many'"
