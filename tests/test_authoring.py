"""`kbtool init` and `kbtool new`: scaffolding and new articles from templates."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
from cliutil import run, write_kb

from kbtool.authoring import TEMPLATE_TYPES, init_kb, new_article, template_text
from kbtool.config import CONFIG_FILENAME, load_config, parse_config
from kbtool.corpus import load_corpus
from kbtool.corpus.parse import parse_bytes
from kbtool.errors import ConflictError, InputError, UsageError

TODAY = dt.date(2026, 11, 23)


def front_matter(path: Path) -> dict[str, object]:
    parsed = parse_bytes(path, path.read_bytes(), max_size=10**6)
    assert [p for p in parsed.problems if p.severity.name == "ERROR"] == []
    return parsed.meta


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- init


def test_init_scaffolds_a_knowledge_base(tmp_path: Path) -> None:
    kb = tmp_path / "help"
    written = init_kb(kb, name="Acme Help", locale="sv", today=TODAY)
    assert (
        sorted(p.relative_to(kb).as_posix() for p in written)
        == files_under(kb)
        == sorted(
            [
                ".gitignore",
                CONFIG_FILENAME,
                "articles/sv/getting-started/_index.md",
                "articles/sv/getting-started/welcome.md",
                *(f"templates/{kind}.md" for kind in TEMPLATE_TYPES),
            ]
        )
    )
    text = (kb / CONFIG_FILENAME).read_text(encoding="utf-8")
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 5
    config, problems = parse_config(text)
    assert problems == []
    assert config.kb.name == "Acme Help"
    assert config.kb.default_locale == "sv"
    assert config.site.title == "Acme Help"
    ignored = (kb / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".kbtool/" in ignored
    welcome = front_matter(kb / "articles/sv/getting-started/welcome.md")
    assert welcome["last_reviewed"] == TODAY


def test_init_writes_nothing_when_a_file_exists(tmp_path: Path) -> None:
    write_kb(tmp_path, {"templates/faq.md": "my own FAQ template\n", "README.md": "hi\n"})
    with pytest.raises(
        ConflictError, match=r"1 file\(s\) already exist, nothing written: .*faq\.md"
    ):
        init_kb(tmp_path, name="x", locale="en", today=TODAY)
    assert files_under(tmp_path) == ["README.md", "templates/faq.md"]
    assert (tmp_path / "templates/faq.md").read_text(encoding="utf-8") == "my own FAQ template\n"


def test_init_refuses_bad_input(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a language code"):
        init_kb(tmp_path, name="x", locale="english", today=TODAY)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="not a folder"):
        init_kb(tmp_path / "file", name="x", locale="en", today=TODAY)
    assert files_under(tmp_path) == ["file"]


def test_init_command_then_articles_and_new_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init", "kb", "--name", "Acme Help")
    assert result.exit_code == 0, result.output
    assert "kb/kbtool.toml" in result.stdout.splitlines()
    assert "Created a knowledge base in kb" in result.stderr

    listed = run("-C", "kb", "articles", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.count('"id": "welcome"') == 1

    created = run(
        "-C", "kb", "new", "Reset your password", "--section", "account", "--owner", "account-team"
    )
    assert created.exit_code == 0, created.output
    path = Path("kb/articles/en/account/reset-your-password.md")
    assert created.stdout == f"{path}\n"
    meta = front_matter(path)
    assert meta["id"] == "reset-your-password"
    assert meta["title"] == "Reset your password"
    assert meta["owner"] == "account-team"
    assert meta["last_reviewed"] == dt.date.today()

    again = run("init", "kb")
    assert again.exit_code == 2
    assert again.stderr.startswith("kbtool: error: ")
    assert "already exist, nothing written" in again.stderr
    assert len(again.stderr.splitlines()) == 1


def test_init_command_quiet(tmp_path: Path) -> None:
    result = run("--quiet", "init", str(tmp_path / "kb"))
    assert result.exit_code == 0
    assert result.stderr == ""
    assert f"{tmp_path / 'kb' / CONFIG_FILENAME}" in result.stdout.splitlines()


# --------------------------------------------------------------------------- new


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    init_kb(tmp_path, name="Help", locale="en", today=TODAY)
    return tmp_path


def test_new_fills_in_the_template_and_keeps_its_comments(kb: Path) -> None:
    config, _ = load_config(kb)
    created = new_article(
        config,
        "Reset your password",
        kind="how-to",
        section="account",
        locale=None,
        owner="account-team",
        today=TODAY,
    )
    assert created.path == kb / "articles/en/account/reset-your-password.md"
    assert created.id == "reset-your-password"
    template = (kb / "templates/how-to.md").read_text(encoding="utf-8").splitlines()
    written = created.path.read_text(encoding="utf-8").splitlines()
    assert len(written) == len(template)
    changed = {
        old.split(":")[0]: new for old, new in zip(template, written, strict=True) if old != new
    }
    assert changed == {
        "id": "id: reset-your-password",
        "title": "title: Reset your password",
        "last_reviewed": "last_reviewed: 2026-11-23",
        "owner": "owner: account-team",
    }
    # comments in the template survive, e.g. the one after status
    assert "status: draft   # draft | published | archived" in written


def test_new_uses_the_type_and_its_template(kb: Path) -> None:
    (kb / "templates/faq.md").write_text(
        "---\ntitle: X\ntype: how-to  # replaced\nextra: kept\n---\n\n## Question?\n",
        encoding="utf-8",
    )
    config, _ = load_config(kb)
    created = new_article(
        config,
        "Why was I charged twice?",
        kind="faq",
        section="Billing & Plans",
        locale=None,
        owner=None,
        today=TODAY,
    )
    assert created.path == kb / "articles/en/billing-plans/why-was-i-charged-twice.md"
    assert created.path.read_text(encoding="utf-8") == (
        "---\ntitle: Why was I charged twice?\ntype: faq  # replaced\nextra: kept\n"
        "id: why-was-i-charged-twice\nlast_reviewed: 2026-11-23\n---\n\n## Question?\n"
    )


def test_new_title_that_needs_quotes_reads_back(kb: Path) -> None:
    config, _ = load_config(kb)
    title = "Error: 'yes' is not a #number"
    created = new_article(
        config,
        title,
        kind="troubleshooting",
        section="errors",
        locale="en",
        owner="no",
        today=TODAY,
    )
    meta = front_matter(created.path)
    assert meta["title"] == title
    assert meta["owner"] == "no"
    assert meta["type"] == "troubleshooting"


def test_new_with_mapped_field_names_and_date_format(tmp_path: Path) -> None:
    write_kb(
        tmp_path,
        {
            CONFIG_FILENAME: (
                "[fields]\n"
                'id = "exl-id"\n'
                'last_reviewed = "ms.date"\n'
                'owner = ["ms.author", "author"]\n'
                'date_formats = ["%m/%d/%Y"]\n'
            ),
            "articles/en/setup/old.md": "---\ntitle: Old\n---\n",
        },
    )
    config, problems = load_config(tmp_path)
    assert problems == []
    created = new_article(
        config, "Set up SSO", kind="how-to", section="setup", locale=None, owner="Ada", today=TODAY
    )
    meta = front_matter(created.path)
    assert meta["exl-id"] == "set-up-sso"
    assert meta["ms.date"] == "11/23/2026"
    assert meta["ms.author"] == "Ada"
    # the built-in template's canonical keys mean nothing under this mapping: dropped
    assert "id" not in meta
    assert "last_reviewed" not in meta
    assert "owner" not in meta
    assert meta["title"] == "Set up SSO"  # not mapped: the canonical key is the key
    article = next(
        a for a in load_corpus(config, with_git=False).articles if a.path == created.path
    )
    assert (article.id, article.last_reviewed, article.owner) == ("set-up-sso", TODAY, "Ada")


def test_new_with_a_mapped_template_replaces_in_place(tmp_path: Path) -> None:
    write_kb(
        tmp_path,
        {
            CONFIG_FILENAME: '[fields]\nlast_reviewed = "ms.date"\ndate_formats = ["%d.%m.%Y"]\n',
            "templates/how-to.md": "---\ntitle: TODO\nms.date: 01.01.2020  # review date\n---\n",
        },
    )
    config, _ = load_config(tmp_path)
    created = new_article(
        config, "Export data", kind="how-to", section="data", locale=None, owner=None, today=TODAY
    )
    assert created.path.read_text(encoding="utf-8") == (
        "---\ntitle: Export data\nms.date: 23.11.2026  # review date\nid: export-data\n"
        "type: how-to\n---\n"
    )


def test_new_refuses_to_overwrite(kb: Path) -> None:
    config, _ = load_config(kb)
    path = kb / "articles/en/general/welcome-back.md"
    path.parent.mkdir(parents=True)
    path.write_text("mine\n", encoding="utf-8")
    with pytest.raises(ConflictError, match="already exists"):
        new_article(
            config,
            "Welcome back",
            kind="how-to",
            section=None,
            locale=None,
            owner=None,
            today=TODAY,
        )
    assert path.read_text(encoding="utf-8") == "mine\n"


def test_new_section_defaults_to_the_configured_one(tmp_path: Path) -> None:
    write_kb(tmp_path, {CONFIG_FILENAME: '[kb]\ndefault_section = "misc"\n'})
    config, _ = load_config(tmp_path)
    created = new_article(
        config, "A", kind="faq", section=None, locale=None, owner=None, today=TODAY
    )
    assert created.path == tmp_path / "articles/en/misc/a.md"


def test_new_in_a_single_language_base_has_no_locale_level(tmp_path: Path) -> None:
    write_kb(tmp_path, {"articles/billing/refunds.md": "---\ntitle: Refunds\n---\n"})
    config, _ = load_config(tmp_path)
    created = new_article(
        config,
        "Invoices",
        kind="reference",
        section="billing",
        locale="en",
        owner=None,
        today=TODAY,
    )
    assert created.path == tmp_path / "articles/billing/invoices.md"
    with pytest.raises(UsageError, match="no locale folders; 'sv' is not its language"):
        new_article(
            config,
            "Fakturor",
            kind="reference",
            section="billing",
            locale="sv",
            owner=None,
            today=TODAY,
        )


def test_new_in_a_localized_base_checks_the_locale(kb: Path) -> None:
    (kb / "articles/sv").mkdir()
    config, _ = load_config(kb)
    created = new_article(
        config,
        "Återställ lösenord",
        kind="how-to",
        section="konto",
        locale="sv",
        owner=None,
        today=TODAY,
    )
    assert created.path == kb / "articles/sv/konto/återställ-lösenord.md"
    with pytest.raises(UsageError, match=r"unknown locale 'de' \(locales: en, sv\)"):
        new_article(
            config, "Passwort", kind="how-to", section="konto", locale="de", owner=None, today=TODAY
        )


@pytest.mark.parametrize(
    ("title", "kwargs", "error", "message"),
    [
        ("  ", {}, UsageError, "the title is empty"),
        ("!!!", {}, UsageError, "cannot make a file name from '!!!'; give one with --id"),
        (
            "Fine",
            {"article_id": "Not OK"},
            UsageError,
            "'Not OK' cannot be an id: use lower-case letters, digits and hyphens, e.g. 'not-ok'",
        ),
        ("Fine", {"kind": "tutorial"}, UsageError, "unknown type 'tutorial'"),
        ("Fine", {"kind": "announcement"}, InputError, "no template for type 'announcement'"),
        ("Fine", {"section": "???"}, UsageError, "'???' is not a usable section name"),
    ],
)
def test_new_refuses_bad_input(
    kb: Path, title: str, kwargs: dict[str, str], error: type, message: str
) -> None:
    config, _ = load_config(kb)
    args = {"kind": "how-to", "section": "s", "locale": None, "owner": None, "today": TODAY}
    with pytest.raises(error) as info:
        new_article(config, title, **{**args, **kwargs})  # type: ignore[arg-type]
    assert str(info.value).startswith(message)
    assert files_under(kb / "articles") == [
        "en/getting-started/_index.md",
        "en/getting-started/welcome.md",
    ]


def test_new_with_an_explicit_id(kb: Path) -> None:
    config, _ = load_config(kb)
    created = new_article(
        config,
        "Reset your password",
        kind="how-to",
        section="account",
        locale=None,
        owner=None,
        today=TODAY,
        article_id="reset-password",
    )
    assert created.path.name == "reset-password.md"
    assert front_matter(created.path)["id"] == "reset-password"


def test_builtin_templates_are_used_without_a_templates_folder(tmp_path: Path) -> None:
    config, _ = load_config(tmp_path)
    for kind in TEMPLATE_TYPES:
        text = template_text(config, kind)
        parsed = parse_bytes(Path(f"{kind}.md"), text.encode(), max_size=10**6)
        assert parsed.meta["type"] == kind
        assert "#" in text.split("---")[1]  # templates carry guiding comments


def test_new_command_prints_the_path_and_refuses_overwrite(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(kb / "articles")
    result = run(
        "new",
        "Cancel a subscription",
        "--type",
        "faq",
        "-s",
        "billing",
        "-l",
        "en",
        "--owner",
        "billing-team",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "en/billing/cancel-a-subscription.md\n"
    meta = front_matter(kb / "articles/en/billing/cancel-a-subscription.md")
    assert (meta["type"], meta["owner"]) == ("faq", "billing-team")
    again = run("new", "Cancel a subscription", "--type", "faq", "-s", "billing")
    assert again.exit_code == 2
    assert again.stderr == (
        f"kbtool: error: {kb / 'articles/en/billing/cancel-a-subscription.md'}: "
        "already exists; not overwritten\n"
    )


def test_new_command_bad_type_is_a_usage_error(kb: Path) -> None:
    result = run("-C", str(kb), "new", "Title", "--type", "tutorial")
    assert result.exit_code == 2
    assert result.stderr.startswith("kbtool: error: unknown type 'tutorial' (taxonomy: how-to, ")
    assert len(result.stderr.splitlines()) == 1


def test_config_written_by_init_is_valid_toml_with_comments(kb: Path) -> None:
    text = (kb / CONFIG_FILENAME).read_text(encoding="utf-8")
    assert tomllib.loads(text)["review"]["default_interval"] == "quarterly"

    # every commented-out example is itself valid configuration once uncommented
    def uncomment(line: str) -> str:
        setting = line.startswith("# ") and ("=" in line or line.startswith("# ["))
        return line.lstrip("# ") if setting else line

    uncommented = "\n".join(uncomment(line) for line in text.splitlines())
    _, problems = parse_config(uncommented.replace('"{locale}"', '"en"'))
    assert problems == []
