"""Rule registration: `@rule(...)` on a check function; its docstring is its documentation."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kbtool.corpus.model import Severity

if TYPE_CHECKING:
    from kbtool.corpus import Article, Corpus
    from kbtool.lint.context import CorpusContext, RuleContext
    from kbtool.lint.diagnostic import Diagnostic

__all__ = ["FAMILIES", "RULES", "Option", "Rule", "resolve", "rule"]

FAMILIES = {
    "KB0": "Lint run",
    "KB1": "Front matter",
    "KB2": "Structure",
    "KB3": "Links and media",
    "KB4": "Language and style",
    "KB5": "SEO",
    "KB6": "Review and translation",
}
_CODE = re.compile(r"^KB\d\d\d$")  # KB0xx: the lint run itself (suppressions, load)
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

ArticleCheck = Callable[["Article", "RuleContext"], Iterable["Diagnostic"]]
CorpusCheck = Callable[["Corpus", "CorpusContext"], Iterable["Diagnostic"]]
# A corpus rule's `related`: keys of an article such that what the rule finds in it
# depends only on the article and the articles that share one of its keys.
Related = Callable[["Article"], Iterable[Hashable]]
# A corpus rule's `census`: what one article adds to a corpus-wide count the rule
# judges every article by (`CorpusContext.census`).
Census = Callable[["Article"], Hashable]


@dataclass(frozen=True)
class Option:
    """A rule option, set in `[lint.options]` (a value, or a table per locale where noted)."""

    name: str
    default: Any
    doc: str
    per_locale: bool = False


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    check: Callable[..., Iterable[Diagnostic]] = field(repr=False, compare=False)
    scope: str = "article"  # "article": sees one article; "corpus": sees them all
    enabled: bool = True  # on unless `select` names it
    fixable: bool = False
    options: tuple[Option, ...] = ()
    # corpus rules: see `Related`; None when findings may depend on any article
    related: Related | None = field(default=None, repr=False, compare=False)
    census: Census | None = field(default=None, repr=False, compare=False)

    @property
    def local(self) -> bool:
        """Whether a delta run can re-run this corpus rule on a few articles."""
        return self.related is not None or self.census is not None

    @property
    def family(self) -> str:
        return self.code[:3]

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0].strip()

    def doc_sections(self) -> dict[str, str]:
        """The docstring split into summary and `Why:`/`Example:`/`Use instead:`/`Options:`."""
        sections: dict[str, list[str]] = {"summary": []}
        current = "summary"
        for line in self.doc.splitlines():
            match = re.match(r"^(Why|Example|Use instead|Options|Fix|Notes?):\s*(.*)$", line)
            if match:
                current = match.group(1).lower()
                sections[current] = [match.group(2)] if match.group(2) else []
            else:
                sections.setdefault(current, []).append(line)
        return {k: "\n".join(v).strip() for k, v in sections.items() if "\n".join(v).strip()}


RULES: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    *,
    severity: Severity = Severity.WARNING,
    scope: str = "article",
    enabled: bool = True,
    fixable: bool = False,
    options: Iterable[Option] = (),
    related: Related | None = None,
    census: Census | None = None,
) -> Callable[[Callable[..., Iterable[Diagnostic]]], Callable[..., Iterable[Diagnostic]]]:
    """Register a check function as lint rule `code`.

    A corpus rule gives `related` when what it finds in an article depends only
    on the articles that share a key with it (duplicates: the same locale and
    title; translations: the same source). After a few files changed, the linter
    then runs it on those articles alone instead of on the whole corpus. Keys may
    be coarser than needed (more articles share them), never finer.

    A corpus rule that judges each article by a corpus-wide count (how many
    articles use a key) gives `census`, what one article adds to the count, and
    reads the count with `ctx.census(corpus)`. A delta run then re-runs it on
    the changed articles alone, with the count of the whole knowledge base,
    while no changed article changes the count (else it runs on all).
    """
    if not _CODE.match(code):
        raise ValueError(f"rule code {code!r} must look like KB104")
    if not _NAME.match(name):
        raise ValueError(f"rule name {name!r} must be kebab-case")
    if scope not in ("article", "corpus"):
        raise ValueError(f"rule scope must be article or corpus, not {scope!r}")

    def register(check: Callable[..., Iterable[Diagnostic]]) -> Callable[..., Iterable[Diagnostic]]:
        if code in RULES:
            raise ValueError(f"rule {code} registered twice")
        if any(r.name == name for r in RULES.values()):
            raise ValueError(f"rule name {name} registered twice")
        if not (check.__doc__ or "").strip():
            raise ValueError(f"rule {code} has no docstring: it is the rule's documentation")
        if (related is not None or census is not None) and scope != "corpus":
            raise ValueError(f"rule {code}: only corpus rules have related articles or a census")
        RULES[code] = Rule(
            code, name, severity, check, scope, enabled, fixable, tuple(options), related, census
        )
        return check

    return register


def all_rules() -> dict[str, Rule]:
    """Every rule, importing the rule modules on first use."""
    import kbtool.lint.rules  # noqa: F401  (registers the rules)

    return dict(sorted(RULES.items()))


def resolve(selectors: Iterable[str]) -> tuple[set[str], list[str]]:
    """Codes matched by selectors (`KB104`, a prefix `KB1`/`KB`, a name, `ALL`) and unknown ones."""
    rules = all_rules()
    by_name = {r.name: code for code, r in rules.items()}
    codes: set[str] = set()
    unknown: list[str] = []
    for raw in selectors:
        selector = raw.strip()
        upper = selector.upper()
        if upper == "ALL":
            codes.update(rules)
        elif selector in by_name:
            codes.add(by_name[selector])
        elif upper.startswith("KB") and any(code.startswith(upper) for code in rules):
            codes.update(code for code in rules if code.startswith(upper))
        else:
            unknown.append(selector)
    return codes, unknown


def iter_options() -> Iterator[tuple[Rule, Option]]:
    for r in all_rules().values():
        for option in r.options:
            yield r, option
