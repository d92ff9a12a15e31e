"""kbtool.links (link resolution) and kbtool.markdown details the rule cases cannot show.

Draft for tests/test_links.py (its author may not add files outside the rule cases).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.config import load_config
from kbtool.corpus import load_corpus
from kbtool.links import LinkKind, find_anchor, link_index, unsafe_scheme
from kbtool.markdown import analyze, analyze_text, heading_anchors

ROOT = Path(__file__).resolve().parents[1]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def corpus(tmp_path: Path):  # type: ignore[no-untyped-def]
    front = "---\ntitle: {t}\ndescription: A description long enough for the rules here.\n---\n\n"
    _write(tmp_path / "kbtool.toml", '[kb]\nexclude = ["**/includes/**"]\n')
    _write(
        tmp_path / "articles/en/account/reset-password.md",
        front.format(t="Reset your password") + "## Steps\n",
    )
    _write(tmp_path / "articles/en/billing/refund-policy.md", front.format(t="Refunds") + "x\n")
    _write(tmp_path / "articles/en/includes/note.md", "A fragment.\n")
    _write(tmp_path / "articles/assets/shot.png", "png")
    config, _ = load_config(tmp_path)
    return load_corpus(config, with_git=False)


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("../billing/refund-policy.md", LinkKind.ARTICLE),
        ("../billing/refund-policy", LinkKind.ARTICLE),
        ("./reset-password.md#steps", LinkKind.ARTICLE),
        ("../includes/note.md", LinkKind.FILE),
        ("../../assets/shot.png", LinkKind.FILE),
        ("../billing/", LinkKind.FILE),
        ("../Billing/refund-policy.md", LinkKind.MISSING),
        ("nope.md", LinkKind.MISSING),
        ("#steps", LinkKind.ANCHOR),
        ("", LinkKind.EMPTY),
        ("https://example.com/x.md", LinkKind.EXTERNAL),
        ("//cdn.example.com/x.png", LinkKind.EXTERNAL),
        ("/dynamics365/business-central/finance", LinkKind.SITE),
        ("~/../other-repo/x.md", LinkKind.SITE),
        ("../../../../outside.md", LinkKind.SITE),
    ],
)
def test_resolve_kinds(corpus, target: str, kind: LinkKind) -> None:  # type: ignore[no-untyped-def]
    article = next(a for a in corpus.articles if a.id == "reset-password")
    assert link_index(corpus).resolve(article, target).kind is kind


def test_missing_targets_come_with_a_suggestion(corpus) -> None:  # type: ignore[no-untyped-def]
    article = next(a for a in corpus.articles if a.id == "reset-password")
    index = link_index(corpus)
    case = index.resolve(article, "../Billing/Refund-Policy.md#x")
    assert (case.suggestion, case.case_only, case.fragment) == (
        "../billing/refund-policy.md",
        True,
        "x",
    )
    moved = index.resolve(article, "refund-policy.md")
    assert (moved.suggestion, moved.case_only) == ("../billing/refund-policy.md", False)
    typo = index.resolve(article, "../billing/refund-polcy.md")
    assert typo.suggestion == "../billing/refund-policy.md"
    assert index.resolve(article, "nothing-like-it.md").suggestion == ""


def test_link_index_is_built_once_per_corpus(corpus) -> None:  # type: ignore[no-untyped-def]
    assert link_index(corpus) is link_index(corpus)


@pytest.mark.parametrize(
    ("target", "image", "scheme"),
    [
        ("javascript:alert(1)", False, "javascript"),
        (" JaVa\tScRiPt:alert(1)", False, "javascript"),
        ("&#106;avascript:alert(1)", False, "javascript"),
        ("vbscript:msgbox", False, "vbscript"),
        ("file:///etc/passwd", False, "file"),
        ("data:text/html,<script>", False, "data"),
        ("data:image/png;base64,AAAA", False, "data"),
        ("data:image/png;base64,AAAA", True, None),
        ("data:image/svg+xml;base64,AAAA", True, "data"),
        ("https://example.com/javascript:x", False, None),
        ("mailto:a@example.com", False, None),
        ("relative/javascript.md", False, None),
    ],
)
def test_unsafe_scheme(target: str, image: bool, scheme: str | None) -> None:
    assert unsafe_scheme(target, image=image) == scheme


def test_find_anchor() -> None:
    anchors = {"steps", "set-up-tan"}
    assert find_anchor(anchors, "steps") == (True, "", False)
    assert find_anchor(anchors, "top") == (True, "", False)
    assert find_anchor(anchors, "") == (True, "", False)
    assert find_anchor(anchors, "Steps") == (False, "steps", True)
    assert find_anchor(anchors, "set-up-tna") == (False, "set-up-tan", False)
    assert find_anchor(anchors, "unrelated") == (False, "", False)


def test_heading_anchors_agree_with_analyze() -> None:
    config, _ = load_config(ROOT)
    for article in load_corpus(config, with_git=False).articles:
        assert heading_anchors(article) == analyze(article).anchors, article.rel_path


def test_analysis_understands_host_markup() -> None:
    doc = analyze_text(
        "## [Windows](#tab/windows)\n\n"
        "## Use **bold** and `__init__` {#use}\n\n"
        "Select **Save** in my_file_name and [**here**](a.md).\n\n"
        ':::image type="content" source="a.png" alt-text="A":::\n\n'
        '<a name="legacy"></a>\n\n'
        "[!INCLUDE[product](includes/product.md)]\n",
        line_offset=4,
    )
    assert [h.anchor for h in doc.headings] == ["use"]
    assert [t.line for t in doc.tabs] == [5]
    assert doc.anchors == {"use", "legacy"}
    assert doc.paragraphs[0].text == "Select Save in my_file_name and here."
    links = {link.target: link for link in doc.links}
    assert links["a.md"].text == "here"
    assert (links["a.md"].line, links["a.md"].column) == (9, 48)
    assert links["a.png"].image and links["a.png"].directive and links["a.png"].text == "A"
    assert links["includes/product.md"].include


def test_heading_text_keeps_unpaired_underscores() -> None:
    doc = analyze_text("## my_var_ and __init__\n")
    assert doc.headings[0].anchor == "my_var_-and-init"


def test_columns_point_at_the_target_not_at_the_same_words_in_link_text() -> None:
    doc = analyze_text("![x.png](x.png) and ![x.png](x.png)\n")
    assert [link.column for link in doc.links] == [10, 30]
