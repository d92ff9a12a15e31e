"""Search-engine metadata: JSON-LD blocks, sitemap.xml and robots.txt."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

__all__ = ["SitemapUrl", "article_ld", "breadcrumb_ld", "faq_ld", "robots_txt", "sitemap_xml"]


def to_script(data: Mapping[str, Any]) -> str:
    """JSON for a `<script type="application/ld+json">`: `<` escaped so nothing ends it early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def breadcrumb_ld(crumbs: Sequence[tuple[str, str]]) -> str:
    """`BreadcrumbList` of (name, absolute-or-relative URL) pairs."""
    items = []
    for position, (name, url) in enumerate(crumbs, start=1):
        item: dict[str, Any] = {"@type": "ListItem", "position": position, "name": name}
        if url:
            item["item"] = url
        items.append(item)
    return to_script(
        {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items}
    )


def article_ld(
    *, title: str, description: str, lang: str, modified: str, url: str, publisher: str
) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": title[:110],
        "inLanguage": lang,
        "publisher": {"@type": "Organization", "name": publisher},
    }
    if description:
        data["description"] = description
    if modified:
        data["dateModified"] = modified
    if url:
        data["mainEntityOfPage"] = url
    return to_script(data)


def faq_ld(pairs: Iterable[tuple[str, str]], *, lang: str) -> str:
    return to_script(
        {
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "inLanguage": lang,
            "mainEntity": [
                {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}}
                for q, a in pairs
            ],
        }
    )


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: str = ""
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, absolute URL)


def sitemap_xml(urls: Iterable[SitemapUrl]) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    ]
    for url in urls:
        out.append(f"<url><loc>{escape(url.loc)}</loc>")
        if url.lastmod:
            out.append(f"<lastmod>{url.lastmod}</lastmod>")
        for lang, href in url.alternates:
            out.append(
                f'<xhtml:link rel="alternate" hreflang={quoteattr(lang)} href={quoteattr(href)}/>'
            )
        out.append("</url>\n")
    out.append("</urlset>\n")
    return "".join(out)


def robots_txt(sitemap: str, *, allow: bool = True) -> str:
    lines = ["User-agent: *", "Allow: /" if allow else "Disallow: /"]
    if sitemap:
        lines.append(f"Sitemap: {sitemap}")
    return "\n".join(lines) + "\n"
