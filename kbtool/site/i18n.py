"""The site's own words (buttons, headings, notices) in the languages it speaks.

A locale gets the strings of its most specific match (`de-de` -> `de`,
`zh-hans` -> `zh-cn`); anything a language lacks comes from English.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

__all__ = ["LANGUAGE_NAMES", "language_name", "strings", "text_direction"]

_EN: dict[str, str] = {
    "skip": "Skip to main content",
    "home": "Home",
    "search": "Search",
    "search_label": "Search the help center",
    "search_placeholder": "Search articles",
    "search_hint": "Type at least two characters.",
    "search_no_results": "No articles match your search.",
    "search_results": "{count} results",
    "search_unavailable": "Search is not available right now.",
    "all": "All",
    "filter_section": "Section",
    "filter_type": "Type",
    "filter_stage": "Audience",
    "sections": "Browse by section",
    "popular": "Popular articles",
    "articles_count": "{count} articles",
    "breadcrumb": "Breadcrumb",
    "toc": "On this page",
    "last_reviewed": "Last reviewed",
    "updated": "Updated",
    "related": "Related articles",
    "still_need_help": "Still need help?",
    "contact_us": "Contact us",
    "contact_title": "Contact support",
    "contact_intro": "Tell us what you need. As you type the subject, we suggest "
    "articles that may answer it straight away.",
    "subject": "Subject",
    "email": "Your email",
    "message": "Message",
    "send": "Send",
    "suggestions": "These articles may help",
    "no_contact": "Write to your usual support contact.",
    "language": "Language",
    "choose_language": "Choose a language",
    "fallback": "This article is not available in {language} yet, so it is shown in {default}.",
    "not_found_title": "Page not found",
    "not_found_text": "The page you asked for does not exist or has moved.",
    "back_home": "Go to the help center home",
    "draft": "Draft",
    "footer": "Footer",
    "main_nav": "Main",
    "tagline": "How can we help?",
}

_STRINGS: dict[str, dict[str, str]] = {
    "en": _EN,
    "sv": {
        "skip": "Hoppa till huvudinnehållet",
        "home": "Start",
        "search": "Sök",
        "search_label": "Sök i hjälpcentret",
        "search_placeholder": "Sök artiklar",
        "search_hint": "Skriv minst två tecken.",
        "search_no_results": "Inga artiklar matchar din sökning.",
        "search_results": "{count} träffar",
        "search_unavailable": "Sökningen är inte tillgänglig just nu.",
        "all": "Alla",
        "filter_section": "Avsnitt",
        "filter_type": "Typ",
        "filter_stage": "Målgrupp",
        "sections": "Bläddra efter avsnitt",
        "popular": "Populära artiklar",
        "articles_count": "{count} artiklar",
        "breadcrumb": "Brödsmulor",
        "toc": "På den här sidan",
        "last_reviewed": "Senast granskad",
        "updated": "Uppdaterad",
        "related": "Relaterade artiklar",
        "still_need_help": "Behöver du fortfarande hjälp?",
        "contact_us": "Kontakta oss",
        "contact_title": "Kontakta supporten",
        "contact_intro": "Berätta vad du behöver. Medan du skriver ämnet föreslår vi "
        "artiklar som kanske svarar direkt.",
        "subject": "Ämne",
        "email": "Din e-postadress",
        "message": "Meddelande",
        "send": "Skicka",
        "suggestions": "De här artiklarna kan hjälpa",
        "no_contact": "Skriv till din vanliga supportkontakt.",
        "language": "Språk",
        "choose_language": "Välj språk",
        "fallback": "Den här artikeln finns inte på {language} ännu, så den visas på {default}.",
        "not_found_title": "Sidan hittades inte",
        "not_found_text": "Sidan du söker finns inte eller har flyttats.",
        "back_home": "Till hjälpcentrets startsida",
        "draft": "Utkast",
        "footer": "Sidfot",
        "main_nav": "Huvudmeny",
        "tagline": "Hur kan vi hjälpa dig?",
    },
    "de": {
        "skip": "Zum Hauptinhalt springen",
        "home": "Startseite",
        "search": "Suchen",
        "search_label": "Im Hilfe-Center suchen",
        "search_placeholder": "Artikel durchsuchen",
        "search_hint": "Geben Sie mindestens zwei Zeichen ein.",
        "search_no_results": "Keine Artikel passen zu Ihrer Suche.",
        "search_results": "{count} Ergebnisse",
        "search_unavailable": "Die Suche ist gerade nicht verfügbar.",
        "all": "Alle",
        "filter_section": "Bereich",
        "filter_type": "Typ",
        "filter_stage": "Zielgruppe",
        "sections": "Nach Bereich stöbern",
        "popular": "Beliebte Artikel",
        "articles_count": "{count} Artikel",
        "breadcrumb": "Brotkrumen",
        "toc": "Auf dieser Seite",
        "last_reviewed": "Zuletzt geprüft",
        "updated": "Aktualisiert",
        "related": "Verwandte Artikel",
        "still_need_help": "Brauchen Sie noch Hilfe?",
        "contact_us": "Kontakt",
        "contact_title": "Support kontaktieren",
        "contact_intro": "Sagen Sie uns, was Sie brauchen. Während Sie den Betreff "
        "eingeben, schlagen wir Artikel vor, die Ihre Frage vielleicht sofort beantworten.",
        "subject": "Betreff",
        "email": "Ihre E-Mail-Adresse",
        "message": "Nachricht",
        "send": "Senden",
        "suggestions": "Diese Artikel könnten helfen",
        "no_contact": "Schreiben Sie an Ihren gewohnten Support-Kontakt.",
        "language": "Sprache",
        "choose_language": "Sprache wählen",
        "fallback": "Dieser Artikel ist noch nicht auf {language} verfügbar und wird "
        "daher auf {default} angezeigt.",
        "not_found_title": "Seite nicht gefunden",
        "not_found_text": "Die angeforderte Seite gibt es nicht oder sie wurde verschoben.",
        "back_home": "Zur Startseite des Hilfe-Centers",
        "draft": "Entwurf",
        "footer": "Fußzeile",
        "main_nav": "Hauptmenü",
        "tagline": "Wie können wir helfen?",
    },
    "ja": {
        "skip": "メインコンテンツへスキップ",
        "home": "ホーム",
        "search": "検索",
        "search_label": "ヘルプセンターを検索",
        "search_placeholder": "記事を検索",
        "search_hint": "2文字以上入力してください。",
        "search_no_results": "検索に一致する記事はありません。",
        "search_results": "{count} 件",
        "search_unavailable": "現在、検索は利用できません。",
        "all": "すべて",
        "filter_section": "セクション",
        "filter_type": "種類",
        "filter_stage": "対象",
        "sections": "セクションから探す",
        "popular": "よく読まれている記事",
        "articles_count": "{count} 件の記事",
        "breadcrumb": "パンくずリスト",
        "toc": "このページの内容",
        "last_reviewed": "最終確認日",
        "updated": "更新日",
        "related": "関連記事",
        "still_need_help": "解決しない場合",
        "contact_us": "お問い合わせ",
        "contact_title": "サポートへのお問い合わせ",
        "contact_intro": "ご用件をお聞かせください。"
        "件名を入力すると、すぐに解決できそうな記事をご提案します。",
        "subject": "件名",
        "email": "メールアドレス",
        "message": "メッセージ",
        "send": "送信",
        "suggestions": "こちらの記事が役立つかもしれません",
        "no_contact": "いつものサポート窓口までご連絡ください。",
        "language": "言語",
        "choose_language": "言語を選択",
        "fallback": "この記事はまだ{language}で提供されていないため、{default}で表示しています。",
        "not_found_title": "ページが見つかりません",
        "not_found_text": "お探しのページは存在しないか、移動しました。",
        "back_home": "ヘルプセンターのホームへ",
        "draft": "下書き",
        "footer": "フッター",
        "main_nav": "メインメニュー",
        "tagline": "どのようなことでお困りですか?",
    },
    "zh-cn": {
        "skip": "跳到主要内容",
        "home": "首页",
        "search": "搜索",
        "search_label": "搜索帮助中心",
        "search_placeholder": "搜索文章",
        "search_hint": "请至少输入两个字符。",
        "search_no_results": "没有与搜索匹配的文章。",
        "search_results": "{count} 个结果",
        "search_unavailable": "搜索暂时不可用。",
        "all": "全部",
        "filter_section": "栏目",
        "filter_type": "类型",
        "filter_stage": "读者",
        "sections": "按栏目浏览",
        "popular": "热门文章",
        "articles_count": "{count} 篇文章",
        "breadcrumb": "面包屑导航",
        "toc": "本页内容",
        "last_reviewed": "最近审核",
        "updated": "更新于",
        "related": "相关文章",
        "still_need_help": "仍需要帮助？",
        "contact_us": "联系我们",
        "contact_title": "联系支持团队",
        "contact_intro": "请告诉我们您需要什么帮助。输入主题时，我们会推荐可能立即解答问题的文章。",
        "subject": "主题",
        "email": "您的电子邮箱",
        "message": "留言",
        "send": "发送",
        "suggestions": "这些文章可能有帮助",
        "no_contact": "请联系您常用的支持渠道。",
        "language": "语言",
        "choose_language": "选择语言",
        "fallback": "本文尚无{language}版本，因此以{default}显示。",
        "not_found_title": "找不到页面",
        "not_found_text": "您要访问的页面不存在或已移动。",
        "back_home": "返回帮助中心首页",
        "draft": "草稿",
        "footer": "页脚",
        "main_nav": "主菜单",
        "tagline": "我们能为您做些什么？",
    },
}

_ALIASES = {"zh": "zh-cn", "zh-hans": "zh-cn", "zh-sg": "zh-cn", "nb": "no", "nn": "no"}

# Native names, for the language switcher.
LANGUAGE_NAMES: Mapping[str, str] = {
    "ar": "العربية", "cs": "Čeština", "da": "Dansk", "de": "Deutsch", "el": "Ελληνικά",
    "en": "English", "es": "Español", "fa": "فارسی", "fi": "Suomi", "fr": "Français",
    "he": "עברית", "hi": "हिन्दी", "hu": "Magyar", "id": "Bahasa Indonesia",
    "it": "Italiano", "ja": "日本語", "ko": "한국어", "nl": "Nederlands", "no": "Norsk",
    "pl": "Polski", "pt": "Português", "pt-br": "Português (Brasil)", "ro": "Română",
    "ru": "Русский", "sv": "Svenska", "th": "ไทย", "tr": "Türkçe", "uk": "Українська",
    "ur": "اردو", "vi": "Tiếng Việt", "zh-cn": "简体中文", "zh-tw": "繁體中文",
    "zh-hant": "繁體中文",
}  # fmt: skip

_RTL = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ku", "ps", "sd", "ug", "ur", "yi"})


def _candidates(locale: str) -> list[str]:
    code = locale.lower().replace("_", "-")
    out = [code]
    if code in _ALIASES:
        out.append(_ALIASES[code])
    base = code.split("-", 1)[0]
    out.append(base)
    if base in _ALIASES:
        out.append(_ALIASES[base])
    return out


@lru_cache(maxsize=64)
def strings(locale: str) -> Mapping[str, str]:
    """The UI strings for `locale`, English where it has none."""
    merged = dict(_EN)
    for code in reversed(_candidates(locale)):
        merged.update(_STRINGS.get(code, {}))
    return merged


@lru_cache(maxsize=256)
def language_name(locale: str) -> str:
    """`sv` -> `Svenska`; the code itself when the language is not known."""
    for code in _candidates(locale):
        if code in LANGUAGE_NAMES:
            return LANGUAGE_NAMES[code]
    return locale


def text_direction(locale: str) -> str:
    """`rtl` for right-to-left languages (Arabic, Hebrew, Persian, Urdu...), else `ltr`."""
    return "rtl" if locale.lower().split("-", 1)[0] in _RTL else "ltr"


def html_lang(locale: str) -> str:
    """The BCP 47 tag for `lang=""`: `zh-cn` -> `zh-CN`, `de-de` -> `de-DE`."""
    parts = locale.replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        out.append(part.upper() if len(part) == 2 else part.title())
    return "-".join(out)
