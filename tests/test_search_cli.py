"""`kbtool index/search/suggest/eval` end to end, and search quality on the sample."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cliutil import run

from kbtool.config import load_config
from kbtool.search import evaluate, open_engine, read_cases

REPO = Path(__file__).resolve().parents[1]
QUERIES = Path(__file__).parent / "search" / "queries.csv"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample help center (articles and kbtool.toml), copied so its index is private."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(REPO / "articles", root / "articles")
    shutil.copy(REPO / "kbtool.toml", root / "kbtool.toml")
    result = run("-C", str(root), "index")
    assert result.exit_code == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def report(sample: Path) -> evaluate.__class__:  # type: ignore[name-defined]
    config, _ = load_config(sample)
    with open_engine(config) as engine:
        return evaluate(engine, read_cases(QUERIES))


def test_labelled_set_is_big_and_multilingual() -> None:
    cases = read_cases(QUERIES)
    assert len(cases) >= 80
    locales = {c.locale for c in cases}
    assert locales == {"en", "sv", "zh-cn"}
    assert all(sum(c.locale == loc for c in cases) >= 15 for loc in locales)


@pytest.mark.parametrize("mode", ["search", "suggest"])
@pytest.mark.parametrize(("locale", "bar"), [("en", 0.80), ("sv", 0.70), ("zh-cn", 0.70)])
def test_sample_mrr(report: object, mode: str, locale: str, bar: float) -> None:
    metrics = report.mode(mode).by_locale[locale]  # type: ignore[attr-defined]
    assert metrics.mrr >= bar, f"{mode} {locale}: MRR {metrics.mrr} < {bar}"
    assert not report.unknown_ids  # type: ignore[attr-defined]


def test_search_table_and_did_you_mean(sample: Path) -> None:
    result = run("-C", str(sample), "search", "pasword")
    assert result.exit_code == 0, result.stderr
    assert "Showing results for password" in result.stdout
    assert "1. Reset your password" in result.stdout


def test_search_json_filters_and_syntax(sample: Path) -> None:
    result = run("-C", str(sample), "search", '"sign in" -google', "--format", "json")
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["schema"] == "kbtool.search/1"
    ids = [r["id"] for r in data["results"]]
    assert ids and "sign-in-with-google-or-apple" not in ids
    first = data["results"][0]
    start, end = first["highlights"][0]
    assert first["snippet"][start:end].lower().startswith(("sign", "in"))

    result = run("-C", str(sample), "search", "invoice", "--type", "how-to", "-f", "json")
    data = json.loads(result.stdout)
    assert data["results"][0]["id"] == "download-invoices"
    assert all(r["type"] == "how-to" for r in data["results"])


def test_search_detects_locale_and_uses_synonyms(sample: Path) -> None:
    data = json.loads(run("-C", str(sample), "search", "återställa lösenord", "-f", "json").stdout)
    assert data["locale"] == "sv" and data["locale_detected"]
    assert data["results"][0]["id"] == "reset-password"
    # a compound the articles only have as separate words
    data = json.loads(
        run("-C", str(sample), "search", "lösenordsåterställning", "-f", "json").stdout
    )
    assert data["results"][0]["id"] == "reset-password"
    # login = sign in: "login" finds the sign-in troubleshooting page
    data = json.loads(run("-C", str(sample), "search", "login problems", "-f", "json").stdout)
    assert "cant-sign-in" in [r["id"] for r in data["results"][:3]]


def test_suggest_answers_and_refuses(sample: Path) -> None:
    result = run("-C", str(sample), "suggest", "my review widget is not showing on my website")
    assert result.exit_code == 0, result.stderr
    assert "widget" in result.stdout and "confidence" in result.stdout
    data = json.loads(
        run("-C", str(sample), "suggest", "what's the weather tomorrow", "-f", "json").stdout
    )
    assert data["schema"] == "kbtool.suggest/1"
    assert data["confident"] is False and data["suggestions"] == []
    result = run("-C", str(sample), "suggest", "what's the weather tomorrow")
    assert "No confident match" in result.stdout


def test_suggest_reads_stdin_and_body(sample: Path) -> None:
    ticket = "Ladda ner faktura\nJag hittar inte fakturan i inställningarna\n"
    data = json.loads(run("-C", str(sample), "suggest", "-f", "json", input=ticket).stdout)
    assert data["locale"] == "sv" and data["locale_detected"]
    assert "inställningarna" in data["text"]  # the body was read too
    assert data["suggestions"][0]["id"] == "download-invoices"
    assert "matched" in data["suggestions"][0]["reason"]


def test_suggest_tickets_summary(sample: Path, tmp_path: Path) -> None:
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(
        "title,description,lang\n"
        '"Can\'t reset my password","The reset link never arrives",en\n'
        "Refund please,I was charged twice for the annual plan,en\n"
        "Parking at your office,Where can I park my car?,en\n"
        "忘记密码,,zh-cn\n",
        encoding="utf-8",
    )
    result = run("-C", str(sample), "suggest", "--tickets", str(tickets),
                 "--columns", "title,description,lang", "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["tickets"] == 4 and data["matched"] == 3
    assert data["deflection_share"] == 0.75
    assert [u["line"] for u in data["unmatched"]] == [4]
    table = run("-C", str(sample), "suggest", "--tickets", str(tickets),
                "--columns", "title,description,lang")  # fmt: skip
    assert "3 of 4 ticket(s) (75%)" in table.stdout
    assert "line 4: Parking at your office" in table.stdout


def test_bad_input_is_one_line_exit_2(sample: Path, tmp_path: Path) -> None:
    missing = run("-C", str(sample), "eval", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "Traceback" not in missing.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("query,expected_id\nreset password,reset-password\nonly a query\n")
    result = run("-C", str(sample), "eval", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:3:" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"query\xff\xfe,x\n")
    assert run("-C", str(sample), "eval", str(binary)).exit_code == 2
    tickets = tmp_path / "t.csv"
    tickets.write_text("a,b\nx,y\n")
    result = run("-C", str(sample), "suggest", "--tickets", str(tickets))
    assert result.exit_code == 2 and "no 'subject' column" in result.stderr
    result = run("-C", str(sample), "search", "x", "--locale", "fr")
    assert result.exit_code == 2 and "no index for locale 'fr'" in result.stderr


def test_eval_gate_and_json(sample: Path, tmp_path: Path) -> None:
    ok = run("-C", str(sample), "eval", str(QUERIES), "--min-mrr", "0.7")
    assert ok.exit_code == 0, ok.stderr
    assert "MRR at or above 0.70" in ok.stdout
    hard = tmp_path / "hard.csv"
    hard.write_text("refund,write-a-review,en\ninvoice,reset-password,en\n")
    failed = run("-C", str(sample), "eval", str(hard), "--min-mrr", "0.5", "-f", "json")
    assert failed.exit_code == 1
    data = json.loads(failed.stdout)
    assert data["schema"] == "kbtool.eval/1" and data["passed"] is False
    misses = data["modes"]["search"]["misses"]
    assert {m["query"] for m in misses} == {"refund", "invoice"}


def test_index_command(sample: Path) -> None:
    result = run("-C", str(sample), "index", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == "kbtool.index/1" and data["action"] == "unchanged"
    assert data["articles"]["en"] == 53
    assert run("-C", str(sample), "index", "--check").exit_code == 0
    page = sample / "articles/en/billing/refund-policy.md"
    original = page.read_bytes()
    try:
        page.write_bytes(original + b"\nOne more line.\n")
        assert run("-C", str(sample), "index", "--check").exit_code == 1
        assert "updated" in run("-C", str(sample), "index").stdout
    finally:
        page.write_bytes(original)
        run("-C", str(sample), "index")


@pytest.mark.corpora
def test_commerce_kb_three_languages(tmp_path: Path) -> None:
    corpora = REPO.parent / "shared" / "corpora" / "commerce-kb"
    if not corpora.is_dir():
        pytest.skip("shared corpora not available")
    root = tmp_path / "commerce"
    shutil.copytree(corpora, root, ignore=shutil.ignore_patterns(".git", ".kbtool"))
    config = REPO / "tests/configs/commerce-kb.toml"
    result = run("-C", str(root), "--config", str(config), "index", "-f", "json")
    assert result.exit_code == 0, result.stderr
    counts = json.loads(result.stdout)["articles"]
    assert set(counts) == {"en", "de-de", "ja-jp"} and min(counts.values()) > 100
    for query, locale in (
        ("elasticsearch", "en"),
        ("Zahlungsmethode", "de-de"),
        ("キャッシュ", "ja-jp"),
    ):
        data = json.loads(
            run(
                "-C",
                str(root),
                "--config",
                str(config),
                "search",
                query,
                "-l",
                locale,
                "-f",
                "json",
            ).stdout
        )
        assert data["results"], (query, locale)
