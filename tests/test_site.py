"""`kbtool build`: pages, translations, SEO files, safety, incremental rebuilds."""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from cliutil import article, run, write_kb

from kbtool.config import load_config
from kbtool.corpus import load_corpus
from kbtool.errors import InputError
from kbtool.markdown import analyze
from kbtool.site import MARKER, build_site
from kbtool.site.i18n import html_lang, language_name, strings, text_direction
from kbtool.site.paths import UrlRegistry, href, output_file, safe_path, safe_segment

sys.path.insert(0, str(Path(__file__).parent / "site"))
from sitecheck import broken_links, parse

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Kept article bodies go to a cache folder of this module's own, not the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
        yield


def build(root: Path, out: Path | None = None, **options: object):  # type: ignore[no-untyped-def]
    config, problems = load_config(root)
    assert not [p for p in problems if p.severity == "error"], problems
    return build_site(config, out=out or root / "site", search=False, **options)  # type: ignore[arg-type]


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the site


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample help center of this repository, built once (no search index)."""
    out = tmp_path_factory.mktemp("sample") / "site"
    config, _ = load_config(REPO)
    build_site(config, out=out, search=False)
    return out


def test_sample_site_has_every_page(sample_site: Path) -> None:
    for url in ("en", "sv", "zh-cn", "en/account", "en/contact", "en/search"):
        assert (sample_site / url / "index.html").is_file(), url
    for name in ("index.html", "404.html", "robots.txt", "sitemap.xml", MARKER):
        assert (sample_site / name).is_file(), name
    assert (sample_site / "en/account/reset-password/index.html").is_file()
    assert (sample_site / "_static/widget.js").is_file()
    assert (sample_site / "media/articles/assets/sign-in-page.svg").is_file()


def test_every_internal_link_and_anchor_resolves(sample_site: Path) -> None:
    assert broken_links(sample_site) == []


def test_heading_anchors_are_the_linters(sample_site: Path) -> None:
    """The site's heading ids are the anchors `kbtool lint` checks links against."""
    config, _ = load_config(REPO)
    corpus = load_corpus(config, with_git=False)
    checked = 0
    for item in corpus.articles:
        if item.status != "published":
            continue
        inner = item.rel_path.split("/", 1)[1].removesuffix(".md")
        target = sample_site / item.locale / inner / "index.html"
        doc = analyze(item)
        ids = parse(target).ids
        expected = {h.anchor for h in doc.headings if not (h.level == 1 and h is doc.headings[0])}
        assert expected <= ids, item.rel_path
        checked += 1
    assert checked > 50


def test_article_page_seo_and_structure(sample_site: Path) -> None:
    html = page(sample_site, "en/account/reset-password")
    assert "<title>Reset your password | Rateflow Help Center</title>" in html
    assert 'rel="canonical" href="https://help.rateflow.example/en/account/reset-password/"' in html
    assert 'hreflang="sv" href="https://help.rateflow.example/sv/account/reset-password/"' in html
    assert 'hreflang="x-default"' in html
    assert 'property="og:title"' in html and 'name="description"' in html
    assert '<a class="skip" href="#main">' in html
    assert 'aria-label="Breadcrumb"' in html and "On this page" in html
    assert '<blockquote class="callout callout-note">' in html
    assert "Last reviewed: <time" in html and "Still need help?" in html
    found = parse(sample_site / "en/account/reset-password/index.html")
    kinds = {json.loads(s)["@type"] for s in found.scripts if s.strip().startswith("{")}
    assert kinds == {"Article", "BreadcrumbList"}


def test_faq_articles_get_faqpage_json_ld(sample_site: Path) -> None:
    found = parse(sample_site / "en/account/account-security-faq/index.html")
    blocks = [json.loads(s) for s in found.scripts if s.strip().startswith("{")]
    faq = next(b for b in blocks if b["@type"] == "FAQPage")
    assert len(faq["mainEntity"]) >= 3
    assert all(q["acceptedAnswer"]["text"] for q in faq["mainEntity"])


def test_language_switcher_goes_to_the_translation(sample_site: Path) -> None:
    html = page(sample_site, "en/account/reset-password")
    assert 'href="../../../zh-cn/account/reset-password/" hreflang="zh-cn"' in html
    zh = page(sample_site, "zh-cn/account/reset-password")
    assert '<html lang="zh-cn" dir="ltr">' in zh
    assert "重置您的密码" in zh and "本页内容" in zh  # article and UI in Chinese


def test_missing_translation_falls_back_with_a_notice(sample_site: Path) -> None:
    html = page(sample_site, "sv/trust-and-safety/content-moderation-policy")
    assert '<html lang="sv"' in html
    assert "finns inte på Svenska ännu" in html
    assert '<div class="body" lang="en">' in html
    # the canonical copy is the English page; the fallback is not indexed for search
    assert (
        'href="https://help.rateflow.example/en/trust-and-safety/content-moderation-policy/"'
        in html
    )
    assert "data-pagefind-body" not in html


def test_sitemap_lists_articles_with_lastmod_and_alternates(sample_site: Path) -> None:
    tree = ET.parse(sample_site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = {u.findtext("s:loc", namespaces=ns): u for u in tree.getroot()}
    entry = urls["https://help.rateflow.example/en/account/reset-password/"]
    assert entry.findtext("s:lastmod", namespaces=ns) == "2026-10-14"
    langs = {link.get("hreflang") for link in entry.findall("x:link", ns)}
    assert langs == {"en", "sv", "zh-cn"}
    # fallbacks are not listed: their canonical page is the English one
    assert not any("/sv/trust-and-safety/content-moderation-policy" in url for url in urls)
    robots = (sample_site / "robots.txt").read_text()
    assert "Sitemap: https://help.rateflow.example/sitemap.xml" in robots


def test_widget_data_per_product_area(sample_site: Path) -> None:
    data = json.loads((sample_site / "widgets/account/security.json").read_text())
    assert data["schema_version"] == 1 and data["area"] == "account/security"
    titles = [a["title"] for a in data["locales"]["en"]]
    assert "Reset your password" in titles
    assert all(a["url"].startswith("en/") for a in data["locales"]["en"])
    assert any(a["url"].startswith("sv/") for a in data["locales"]["sv"])


def test_contact_page_and_suggestion_index(sample_site: Path) -> None:
    html = page(sample_site, "en/contact")
    assert 'action="mailto:support@rateflow.example"' in html
    assert '<label for="subject">' in html and '<label for="email">' in html
    index = json.loads((sample_site / "_data/en/suggest.json").read_text())
    assert index["schema_version"] == 1
    reset = next(a for a in index["articles"] if a["title"] == "Reset your password")
    assert "forgot password" in reset["labels"]
    assert reset["url"] == "en/account/reset-password/"


def test_pages_are_small(sample_site: Path) -> None:
    """No per-page copy of a site-wide menu: an article page stays a few KB."""
    sizes = [p.stat().st_size for p in (sample_site / "en").rglob("index.html")]
    assert max(sizes) < 40_000


# --------------------------------------------------------------------------- safety


HOSTILE = {
    "kbtool.toml": '[kb]\nlocales = ["en"]\nbase_url = "https://help.example"\n'
    '[site]\ncontact_url = "javascript:alert(1)"\nfooter_links = { Evil = "javascript:alert(2)" }\n'
    'colors = { accent = "red;}</style><script>alert(3)</script>" }\n',
    "articles/en/general/xss.md": "---\n"
    "id: ../../../../etc/passwd\n"
    'title: \'"><script>alert("title")</script>\'\n'
    "description: '</title><script>alert(1)</script>'\n"
    "labels: ['<b>label</b>']\n"
    "---\n\n"
    "# Heading\n\n<script>alert('body')</script>\n\n"
    '<img src="x.png" onerror="alert(1)">\n\n'
    "[click](javascript:alert(1)) [data](data:text/html,<b>x</b>) "
    "[ok](https://example.com)\n\n"
    '<a href="JaVaScRiPt:alert(1)">raw</a>\n\n![svg](evil.svg)\n',
    "articles/en/general/evil.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "articles/en/general/a%2f..%2f..%2fescape.md": article(title="Escape"),
}


def test_hostile_input_is_escaped_and_sanitised(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", HOSTILE)
    result = build(root)
    assert result.problems == 0 and result.articles == 2
    site = root / "site"
    html = (site / "en/general/xss/index.html").read_text()
    assert "<script>alert" not in html
    assert "javascript:" not in html.lower()
    assert "data:text/html" not in html
    assert "onerror" not in html
    assert (
        "<title>&#34;&gt;&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; | Help Center" in html
    )
    assert 'content="&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert 'href="https://example.com"' in html
    assert not (site / "media").exists() or not list((site / "media").rglob("*.svg"))
    assert any("SVG with script" in w for w in result.warnings)
    assert any("contact_url" in w for w in result.warnings)
    assert any("footer link" in w for w in result.warnings)
    assert any("colors.accent" in w for w in result.warnings)
    contact = (site / "en/contact/index.html").read_text()
    assert "javascript:" not in contact and "<script>alert" not in contact
    # nothing was written outside the site folder, whatever the id and file name said
    written = {p.resolve() for p in tmp_path.rglob("*") if p.is_file()}
    assert all(p.is_relative_to(root.resolve()) for p in written)
    escape = [p for p in site.rglob("index.html") if "escape" in str(p.relative_to(site))]
    assert len(escape) == 1 and escape[0].resolve().is_relative_to(site.resolve())


def test_output_paths_cannot_escape(tmp_path: Path) -> None:
    assert safe_segment("../..") == "page"
    assert safe_segment("a/b\\c") == "a-b-c"
    assert safe_path("../../etc/passwd") == "etc/passwd"
    assert safe_path("重置 密码") == "重置-密码"
    with pytest.raises(InputError):
        output_file(tmp_path, "../x/")
    with pytest.raises(InputError):
        output_file(tmp_path, "/etc/")
    registry = UrlRegistry(("_static",))
    assert registry.claim("_static") == "_static-2/"
    assert registry.claim("en/a") == "en/a/"
    assert registry.claim("en/A") == "en/A-2/"  # case-insensitive hosts see the same folder
    assert href("en/a/b/", "en/") == "../../../en/"
    assert href("404.html", "en/") == "en/"


def test_refuses_to_replace_a_folder_it_did_not_create(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"articles/en/a/x.md": article(title="X")})
    mine = root / "public"
    mine.mkdir()
    (mine / "keep.txt").write_text("precious")
    with pytest.raises(InputError, match="not made by kbtool build"):
        build(root, mine)
    assert (mine / "keep.txt").read_text() == "precious"
    with pytest.raises(InputError, match="contain the knowledge base"):
        build(root, root)
    with pytest.raises(InputError, match="inside the articles folder"):
        build(root, root / "articles" / "site")


def test_failed_build_leaves_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbtool.site import build as build_module

    root = write_kb(tmp_path / "kb", {"articles/en/a/x.md": article(title="X")})
    build(root)
    before = (root / "site/en/a/x/index.html").read_text()

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module._Builder, "_write_site_files", boom)
    with pytest.raises(RuntimeError):
        build(root, clean=True)
    assert (root / "site/en/a/x/index.html").read_text() == before
    assert [p.name for p in root.iterdir() if "kbtool-new" in p.name] == []


# --------------------------------------------------------------------------- incremental


def test_incremental_rebuild_rewrites_only_dependent_pages(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path / "kb",
        {
            "kbtool.toml": '[kb]\nlocales = ["en", "sv"]\n',
            "articles/en/a/one.md": article("See [two](two.md).\n", title="One", labels=["x"]),
            "articles/en/a/two.md": article("## Part\n\nText.\n", title="Two", labels=["x"]),
            "articles/en/b/three.md": article("Alone.\n", title="Three", labels=["y"]),
            "articles/sv/a/one.md": article("Se [två](two.md).\n", title="Ett"),
        },
    )
    first = build(root)
    assert not first.incremental
    site = root / "site"
    three = site / "en/b/three/index.html"
    stamp = three.stat().st_mtime_ns

    again = build(root)
    assert again.incremental and again.written == 0

    (root / "articles/en/a/two.md").write_text(
        article("## Part\n\nNew text.\n", title="Two v2", labels=["x"])
    )
    changed = build(root)
    assert changed.incremental
    assert "Two v2" in (site / "en/a/two/index.html").read_text()
    assert "Two v2" in (site / "en/a/one/index.html").read_text()  # related list names it
    assert "Two v2" in (site / "en/a/index.html").read_text()  # its section page
    assert "Two v2" in (site / "sv/a/two/index.html").read_text()  # the Swedish fallback copy
    assert three.stat().st_mtime_ns == stamp  # an unrelated page is left alone
    assert 0 < changed.written < first.written

    (root / "articles/en/a/two.md").unlink()
    removed = build(root)
    assert removed.removed >= 1
    assert not (site / "en/a/two/index.html").exists()
    one = (site / "en/a/one/index.html").read_text()
    assert "data-broken" in one  # the link to the deleted article is gone, its text stays
    assert broken_links(site) == []


def _site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site but its marker, by relative path.

    Asset versions (`?v=`) are left out: they hash the settings, the output folder included.
    """
    return {
        p.relative_to(site).as_posix(): re.sub(rb"\?v=[0-9a-f]+", b"?v=", p.read_bytes())
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


@pytest.mark.parametrize(
    ("edit", "rewritten"),
    [
        # the body only: its own page and its fallback copy in the Swedish tree
        ({"body": "## Part\n\nNew text.\n"}, {"en/a/two/", "sv/a/two/"}),
        # the description also shows in its section's listings
        (
            {"description": "A new description of two."},
            {"en/a/two/", "sv/a/two/", "en/a/", "sv/a/"},
        ),
        # the type and stages feed the search filters of its language
        (
            {"type": "faq", "stages": ["new"]},
            {"en/a/two/", "sv/a/two/", "en/search/"},  # Swedish filters: Swedish articles
        ),
    ],
)
def test_incremental_change_that_keeps_the_structure(
    tmp_path: Path, edit: dict[str, object], rewritten: set[str]
) -> None:
    fields: dict[str, object] = {
        "title": "Two",
        "labels": ["x"],
        "description": "About two.",
        "type": "how-to",
        "stages": ["experienced"],
        "product_area": "area",
    }
    body = str(edit.pop("body", "## Part\n\nText.\n"))
    root = write_kb(
        tmp_path / "kb",
        {
            "kbtool.toml": '[kb]\nlocales = ["en", "sv"]\nbase_url = "https://help.example"\n',
            "articles/en/a/one.md": article("See [two](two.md).\n", title="One", labels=["x"]),
            "articles/en/a/two.md": article("## Part\n\nText.\n", **fields),
            "articles/en/b/three.md": article("Alone.\n", title="Three", labels=["y"]),
            "articles/sv/a/one.md": article("Se [två](two.md).\n", title="Ett"),
        },
    )
    build(root)
    site = root / "site"
    stamps = {p: p.stat().st_mtime_ns for p in site.rglob("index.html")}
    (root / "articles/en/a/two.md").write_text(article(body, **{**fields, **edit}))

    changed = build(root)

    assert changed.incremental
    touched = {
        p.parent.relative_to(site).as_posix() + "/"
        for p, stamp in stamps.items()
        if p.stat().st_mtime_ns != stamp
    }
    assert touched == rewritten
    assert changed.written == len(rewritten)
    clean = build(root, out=tmp_path / "clean", clean=True)
    assert not clean.incremental
    assert _site_files(site) == _site_files(tmp_path / "clean")


def test_full_rebuild_renders_only_articles_that_changed(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path / "kb",
        {
            "articles/en/a/one.md": article("See [two](two.md) and [img](pic.png).\n", title="One"),
            "articles/en/a/three.md": article("Alone.\n", title="Three"),
        },
    )
    first = build(root)
    assert first.rendered == 2
    one = root / "site/en/a/one/index.html"
    assert "<a data-broken>two</a>" in one.read_text()  # two.md does not exist yet

    # a new target file: one.md is unchanged, but its kept body links to a missing article
    (root / "articles/en/a/two.md").write_text(article("Two.\n", title="Two"))
    (root / "articles/en/a/pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    again = build(root, base_url="https://help.example")  # new settings: a full build
    assert not again.incremental
    assert again.rendered == 2  # two.md, and one.md whose links resolve differently now
    body = one.read_text().split('<div class="body">')[1].split("</div>")[0]
    assert 'href="../../../en/a/two/"' in body and "media/articles/en/a/pic.png" in body
    assert "data-broken" not in body
    assert _site_files(root / "site") == _site_files(_clean_copy(root, tmp_path / "ref"))

    third = build(root)  # settings changed back: full again, every body kept
    assert not third.incremental and third.rendered == 0
    assert build(root, clean=True).rendered == 3  # --clean renders everything


def _clean_copy(root: Path, out: Path) -> Path:
    build(root, out=out, base_url="https://help.example", clean=True)
    return out


def test_clean_build_after_settings_change(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"articles/en/a/x.md": article(title="X")})
    build(root)
    result = build(root, base_url="https://other.example")
    assert not result.incremental  # the base URL shapes every page
    assert "https://other.example/en/a/x/" in (root / "site/en/a/x/index.html").read_text()


def test_template_override(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path / "kb",
        {
            "articles/en/a/x.md": article(title="X"),
            "templates/site/section.html": '{% extends "base.html" %}{% block main %}'
            "<h1>Custom {{ page.title }}</h1>{% endblock %}",
        },
    )
    build(root)
    assert "<h1>Custom A</h1>" in (root / "site/en/a/index.html").read_text()


def test_drafts_only_with_the_option(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path / "kb",
        {
            "articles/en/a/x.md": article(title="X"),
            "articles/en/a/wip.md": article(title="Wip", status="draft"),
        },
    )
    build(root)
    assert not (root / "site/en/a/wip").exists()
    build(root, drafts=True)
    html = (root / "site/en/a/wip/index.html").read_text()
    assert 'content="noindex"' in html and "Draft" in html


# --------------------------------------------------------------------------- i18n


def test_ui_strings_fall_back_to_english() -> None:
    assert strings("sv")["search"] == "Sök"
    assert strings("de-de")["search"] == "Suchen"
    assert strings("ja-jp")["toc"] == "このページの内容"
    assert strings("zh-hans")["search"] == "搜索"
    assert strings("fr")["search"] == "Search"
    assert set(strings("sv")) == set(strings("en"))
    assert text_direction("ar") == "rtl" and text_direction("he-il") == "rtl"
    assert text_direction("en") == "ltr"
    assert language_name("de-de") == "Deutsch" and language_name("xx") == "xx"
    assert html_lang("zh-cn") == "zh-CN"


def test_rtl_locale_gets_dir_rtl(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path / "kb",
        {
            "kbtool.toml": '[kb]\nlocales = ["en", "ar"]\n',
            "articles/en/a/x.md": article(title="X"),
            "articles/ar/a/x.md": article(title="مرحبا"),
        },
    )
    build(root)
    assert '<html lang="ar" dir="rtl">' in (root / "site/ar/a/x/index.html").read_text()


# --------------------------------------------------------------------------- CLI


def test_cli_build_json_and_errors(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"articles/en/a/x.md": article(title="X")})
    result = run("-C", str(root), "build", "--no-search", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == "kbtool.build/1" and data["articles"] == 1 and data["pages"] >= 5
    foreign = root / "foreign"
    foreign.mkdir()
    (foreign / "x").write_text("x")
    result = run("-C", str(root), "build", "--out", str(foreign))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "not made by kbtool build" in result.stderr
    result = run("-C", str(root), "build", "--base-url", "ftp://x")
    assert result.exit_code == 2 and "base URL" in result.stderr


@pytest.mark.corpora
def test_commerce_kb_builds(tmp_path: Path) -> None:
    from conftest import CONFIGS, CORPORA

    corpus = CORPORA / "commerce-kb"
    if not corpus.is_dir():
        pytest.skip("shared corpora not found")
    config, _ = load_config(corpus, CONFIGS / "commerce-kb.toml")
    result = build_site(config, out=tmp_path / "site", search=False)
    assert result.articles > 600
    assert set(result.locales) == {"en", "de-de", "ja-jp"}
    assert (tmp_path / "site/ja-jp").is_dir()
    # anchors the articles themselves get wrong are the linter's business (KB3xx)
    assert [p for p in broken_links(tmp_path / "site") if "no such file" in p] == []


def test_search_index_catches_up_after_builds_without_it(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"articles/en/a/x.md": article("Parcel.\n", title="X")})
    config, _ = load_config(root)
    first = build_site(config, out=root / "site", search=True)
    assert first.search_index and (root / "site/pagefind/pagefind.js").is_file()
    (root / "articles/en/a/x.md").write_text(article("Changed.\n", title="X"))
    skipped = build_site(config, out=root / "site", search=False)
    assert skipped.incremental and not skipped.search_index
    caught_up = build_site(config, out=root / "site", search=True)
    assert caught_up.incremental and caught_up.written == 0 and caught_up.search_index
    settled = build_site(config, out=root / "site", search=True)
    assert not settled.search_index


def test_host_directives_render_as_text(tmp_path: Path) -> None:
    body = (
        "Select [!UICONTROL Save] in [!DNL Adobe Commerce].\n\n"
        "[!INCLUDE[footer-include](../includes/footer.md)]\n\n"
        ':::image type="content" source="x.png" alt-text="X":::\n\n'
        "> [!TIP]\n> Use the search.\n"
    )
    root = write_kb(tmp_path / "kb", {"articles/en/a/x.md": article(body, title="X")})
    build(root)
    html = (root / "site/en/a/x/index.html").read_text()
    assert "Select Save in Adobe Commerce." in html
    assert "INCLUDE" not in html and "footer-include" not in html and ":::" not in html
    assert '<blockquote class="callout callout-tip">' in html


def test_incremental_build_removes_the_widget_of_a_product_area_gone(tmp_path: Path) -> None:
    fields: dict[str, object] = {"title": "Two"}
    root = write_kb(
        tmp_path / "kb",
        {
            "articles/en/a/one.md": article("Text.\n", title="One", product_area="account"),
            "articles/en/a/two.md": article("Text.\n", product_area="billing", **fields),
        },
    )
    build(root)
    widgets = root / "site/widgets"
    assert sorted(p.name for p in widgets.iterdir()) == ["account.json", "billing.json"]
    (root / "articles/en/a/two.md").write_text(article("Text.\n", product_area="tax", **fields))

    assert build(root).incremental
    assert sorted(p.name for p in widgets.iterdir()) == ["account.json", "tax.json"]
    clean = build(root, out=tmp_path / "clean", clean=True)
    assert not clean.incremental
    assert _site_files(root / "site") == _site_files(tmp_path / "clean")


def test_an_incremental_build_dates_a_changed_article_by_git_as_a_full_build_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gitutil import commit_all, init_repo, isolate_git

    isolate_git(monkeypatch)
    root = write_kb(
        init_repo(tmp_path / "kb"),
        {
            "articles/en/a/one.md": article("Text.\n", title="One"),
            "articles/en/a/two.md": article("Text.\n", title="Two"),
        },
    )
    commit_all(root, "Add the articles", date="2026-03-02T10:00:00+00:00")
    build(root)
    # edited, not committed: its last edit is still the commit (the file's mtime is today)
    (root / "articles/en/a/two.md").write_text(article("New text.\n", title="Two"))

    assert build(root).incremental
    assert "2026-03-02" in page(root / "site", "en/a/two")
    assert not build(root, out=tmp_path / "clean", clean=True).incremental
    assert _site_files(root / "site") == _site_files(tmp_path / "clean")
