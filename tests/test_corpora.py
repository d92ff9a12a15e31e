"""The real corpora in ../shared/corpora load as they are, through a kbtool.toml mapping.

`tests/configs/business-central.toml` and `tests/configs/commerce-kb.toml` are the
configurations a user would pass with `--config`, with `--root` pointing at the
(read-only) corpus folder. The numbers below were counted on the files.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import CONFIGS, CORPORA

from kbtool.config import load_config
from kbtool.corpus import Corpus, Severity, load_corpus, read_article
from kbtool.corpus.discover import Layout
from kbtool.dates import Interval, parse_interval

pytestmark = [
    pytest.mark.corpora,
    pytest.mark.skipif(not CORPORA.is_dir(), reason=f"corpora not found at {CORPORA}"),
]

BC = CORPORA / "business-central-en"
COMMERCE = CORPORA / "commerce-kb"


def load(root: Path, config_name: str) -> Corpus:
    config, problems = load_config(root, CONFIGS / config_name)
    assert problems == []
    assert config.root == root
    assert config.source == CONFIGS / config_name
    return load_corpus(config, with_git=False)


@pytest.fixture(scope="module")
def bc() -> Corpus:
    return load(BC, "business-central.toml")


@pytest.fixture(scope="module")
def commerce() -> Corpus:
    return load(COMMERCE, "commerce-kb.toml")


def file_lines(path: Path) -> list[str]:
    return path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8").split("\n")


def assert_lines_are_the_files(corpus: Corpus) -> None:
    """key_lines and body_line point at the right lines of every file."""
    for article in corpus:
        lines = file_lines(article.path)
        for key, line in article.key_lines.items():
            assert lines[line - 1].lstrip("'\"").startswith(key), (article.rel_path, key, line)
        assert 1 <= article.body_line <= len(lines)
        body = "\n".join(lines[article.body_line - 1 :])
        assert body == article.body, article.rel_path


# --------------------------------------------------------------------------- Business Central


def test_bc_discovery_leaves_out_includes_and_the_toc(bc: Corpus) -> None:
    folder = BC / "business-central"
    every_md = sorted(folder.rglob("*.md"))
    includes = [p for p in every_md if "includes" in p.relative_to(folder).parts]
    assert (len(every_md), len(includes)) == (2640, 527)  # 496 in includes/, 31 deeper
    assert len([p for p in includes if p.parent == folder / "includes"]) == 496
    assert len(bc) == 2640 - 527 - 1 == 2112  # minus TOC.md
    assert not any("includes" in a.rel_path.split("/") for a in bc)
    assert not any(a.path.name == "TOC.md" for a in bc)
    assert bc.layout == Layout(locales=(), default_locale="en")
    assert bc.locales == ("en",)
    assert {a.locale for a in bc} == {"en"}
    sections = collections.Counter(a.section for a in bc)
    assert sections["general"] == 1030  # files directly in business-central/
    assert (sections["reports"], sections["Czech"], sections["shopify"]) == (239, 96, 14)


def test_bc_load_problems(bc: Corpus) -> None:
    kinds = collections.Counter((p.code, p.severity) for p in bc.problems)
    assert kinds == {
        ("line-endings", Severity.INFO): 64,
        ("bom", Severity.WARNING): 2,
        ("field", Severity.WARNING): 1,
    }
    for problem in bc.problems:
        if problem.code in ("line-endings", "bom"):
            assert (problem.line, problem.column) == (1, 1)
    boms = sorted(p.path.relative_to(BC).as_posix() for p in bc.problems if p.code == "bom")
    assert boms == [
        "business-central/contoso-coffee/manufacturing/contoso-coffee-manufacturing-intro.md",
        "business-central/contoso-coffee/manufacturing/variants.md",
    ]
    (field,) = (p for p in bc.problems if p.code == "field")
    assert field.path == BC / "business-central/ui-work-with-notes.md"
    assert field.line == 9  # `ms.search.keywords:` followed by an indented `ROBOTS: ...`
    assert field.message == "'ms.search.keywords' should be a list or text, not a mapping"
    assert sum(a.bom for a in bc) == 2
    assert sum(a.line_ending == "\r\n" for a in bc) == 64
    assert all(
        a.problems == tuple(p for p in bc.problems if p.path == a.path) for a in bc if a.problems
    )


def test_bc_line_numbers_hold_in_crlf_and_bom_files(bc: Corpus) -> None:
    odd = [a for a in bc if a.bom or a.line_ending == "\r\n"]
    assert len(odd) == 66
    for article in odd:
        lines = file_lines(article.path)
        assert lines[article.key_line("ms.date") - 1].startswith("ms.date:"), article.rel_path
        assert lines[article.body_line - 2].rstrip("\r") == "---", article.rel_path


def test_bc_every_line_number_is_a_line_of_its_file(bc: Corpus) -> None:
    assert_lines_are_the_files(bc)


def test_bc_the_invalid_yaml_file_is_an_include(bc: Corpus) -> None:
    # The corpus's one file whose front matter is not YAML is an include
    # fragment, so the configuration leaves it out; read on its own it is
    # reported on the line where the list is broken.
    path = BC / "business-central/includes/navcrete_md.md"
    assert not any(a.path == path for a in bc)
    article, problems = read_article(
        path, "includes/navcrete_md.md", config=bc.config, layout=bc.layout
    )
    assert article is not None  # still loads, without metadata
    assert article.meta == {}
    assert article.title == "Navcrete md"
    (problem,) = problems
    assert (problem.code, problem.line, problem.column, problem.severity) == (
        "yaml",
        27,
        3,
        Severity.ERROR,
    )
    # libyaml: "did not find expected '-' indicator"; PyYAML: "expected <block end>..."
    assert problem.message.startswith("invalid YAML front matter: ")
    assert file_lines(path)[26] == "  ms.service: dynamics-365-business-central"


def test_bc_ms_date_is_the_review_date(bc: Corpus) -> None:
    reviewed = [a.last_reviewed for a in bc if a.last_reviewed is not None]
    assert len(reviewed) == len(bc) == 2112
    assert all(a.field_key("last_reviewed") == "ms.date" for a in bc)
    assert (min(reviewed), max(reviewed)) == (dt.date(2021, 2, 18), dt.date(2026, 8, 13))
    assert collections.Counter(d.year for d in reviewed) == {
        2021: 79,
        2022: 28,
        2023: 49,
        2024: 425,
        2025: 1107,
        2026: 424,
    }
    notes = next(a for a in bc if a.rel_path == "ui-work-with-notes.md")
    assert notes.meta["ms.date"] == "04/01/2021"
    assert notes.last_reviewed == dt.date(2021, 4, 1)  # month first


def test_bc_update_cycle_is_review_every(bc: Corpus) -> None:
    cycles = [a for a in bc if a.review_every is not None]
    assert len(cycles) == 40
    assert {a.review_every for a in cycles} == {"180-days"}
    assert all(a.field_key("review_every") == "ms.update-cycle" for a in cycles)
    assert parse_interval("180-days") == Interval(days=180)


def test_bc_other_mapped_fields(bc: Corpus) -> None:
    assert collections.Counter(a.type for a in bc) == {
        "concept": 1171, "how-to": 903, "faq": 18, "troubleshooting": 13, "reference": 7,
    }  # every ms.topic value is mapped onto the taxonomy  # fmt: skip
    assert sum(1 for a in bc if a.labels) == 1682
    assert all(a.owner for a in bc)
    assert collections.Counter(a.owner for a in bc).most_common(1) == [("bholtorf", 1281)]
    welcome = next(a for a in bc if a.rel_path == "welcome.md")
    assert welcome.field_key("owner") == "ms.author"
    assert all(a.status == "published" for a in bc)


def test_bc_misspelled_keys_stay_raw(bc: Corpus) -> None:
    articles = {a.rel_path: a for a in bc}
    sales = articles["admin-synchronizing-business-central-and-sales.md"]
    assert "ms.saerch.form" in sales.meta
    assert articles["year-close-books.md"].meta.get("m.search.form") is not None
    assert "mw.reviewer" in articles["projects-how-setup-time-sheets.md"].meta
    prepayments = articles["finance-set-up-prepayments.md"]
    assert "ms.search.keyword" in prepayments.meta  # singular: not the mapped key
    assert prepayments.labels == ()
    assert prepayments.field_key("labels") is None


# --------------------------------------------------------------------------- Adobe Commerce


def test_commerce_locales_and_counts(commerce: Corpus) -> None:
    assert commerce.locales == ("en", "de-de", "ja-jp")
    counts = collections.Counter(a.locale for a in commerce)
    assert counts == {"en": 210, "de-de": 228, "ja-jp": 210}
    assert len(commerce) == 648
    # help/ holds the articles; TOC.md, metadata.md and license.md are not
    for locale in commerce.locales:
        on_disk = [p for p in (COMMERCE / locale / "help").rglob("*.md") if p.name != "TOC.md"]
        assert len(on_disk) == counts[locale]
    names = {a.path.name for a in commerce}
    assert not names & {"TOC.md", "metadata.md", "license.md"}
    assert all(a.rel_path.split("/")[1] == "help" for a in commerce)
    assert commerce.problems == ()


def test_commerce_translations_are_linked_by_path(commerce: Corpus) -> None:
    by_locale: dict[str, dict[str, str]] = collections.defaultdict(dict)
    for article in commerce:
        inner = article.rel_path.split("/", 1)[1]
        by_locale[article.locale][inner] = article.id
    english = by_locale["en"]
    german, japanese = by_locale["de-de"], by_locale["ja-jp"]
    # German has 18 articles whose English source path does not exist: orphans
    orphans = sorted(set(german) - set(english))
    assert len(orphans) == 18
    assert all(p.startswith("help/troubleshooting/miscellaneous/") for p in orphans)
    assert set(japanese) == set(english)
    assert set(english) <= set(german)
    # exl-id is the id: the same in a translation as in its source...
    assert sum(german[p] == english[p] for p in english) == 210
    # ...except where the translation lacks exl-id and the file stem stands in
    differ = sorted(p for p in english if japanese[p] != english[p])
    assert len(differ) == 3
    assert all(japanese[p] == Path(p).stem for p in differ)


def test_commerce_ids_are_unique_per_locale(commerce: Corpus) -> None:
    for locale in commerce.locales:
        ids = [a.id for a in commerce if a.locale == locale]
        assert len(ids) == len(set(ids)), locale
        stems = [a.slug for a in commerce if a.locale == locale]
        assert collections.Counter(stems)["overview"] == 5  # why stems cannot be the id
    assert collections.Counter(a.field_key("id") for a in commerce) == {"exl-id": 639, None: 9}


def test_commerce_translation_fields(commerce: Corpus) -> None:
    for article in commerce:
        if article.locale == "en":
            assert article.source_hash is None
        else:
            assert article.source_hash is not None and len(article.source_hash) == 40
            assert article.field_key("source_hash") == "source-git-commit"
        assert article.last_reviewed is None  # no dates in this corpus
        assert article.title
    overview = commerce.get("ja-jp", "feacf38f-2803-4170-a64f-5d7c4567432d")
    assert overview is not None
    assert overview.rel_path == "ja-jp/help/overview.md"
    assert overview.section == "help"


def test_commerce_every_line_number_is_a_line_of_its_file(commerce: Corpus) -> None:
    assert_lines_are_the_files(commerce)


def test_commerce_metadata_md_has_one_block(commerce: Corpus) -> None:
    # The corpus README says metadata.md has two front-matter blocks; the files
    # have one each (two `---` lines). Excluded either way: it is repository
    # metadata, not an article.
    for locale in commerce.locales:
        path = COMMERCE / locale / "metadata.md"
        assert path.read_text(encoding="utf-8").count("---\n") == 2
        article, problems = read_article(
            path, f"{locale}/metadata.md", config=commerce.config, layout=commerce.layout
        )
        assert problems == []
        assert article is not None and article.meta["solution"] == "Commerce"


# --------------------------------------------------------------------------- the CLI


def test_cli_with_root_and_config() -> None:
    # `--root` is the corpus folder and `--config` a file elsewhere: the
    # articles are found under the root, not beside the configuration file.
    from typer.testing import CliRunner

    from kbtool.cli.app import app

    config = CONFIGS / "commerce-kb.toml"
    result = CliRunner().invoke(
        app, ["--root", str(COMMERCE), "--config", str(config), "articles", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["root"] == str(COMMERCE.resolve())
    assert payload["summary"] == {
        "articles": 648, "by_locale": {"de-de": 228, "en": 210, "ja-jp": 210}, "problems": 0,
    }  # fmt: skip
