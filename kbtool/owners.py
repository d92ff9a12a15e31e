"""CODEOWNERS: who owns a file, in GitHub's and GitLab's syntax.

`find_codeowners(root)` finds the file, `parse_codeowners(text)` reads it and
`CodeOwners.owners_of("articles/en/x.md")` answers for one path. Parsing never
raises: a line kbtool cannot use becomes a `problem` (line number and reason)
and the rest of the file still applies.

The rules, as GitHub and GitLab document them:

- One rule per line: a path pattern, then owners (`@user`, `@org/team`,
  `@@role`, an email). `#` starts a comment at the start of a line or of a
  word; `\\#` and `\\ ` escape a hash or a space in a pattern.
- The **last** matching rule wins. A matching rule without owners leaves the
  path explicitly unowned.
- Patterns follow `.gitignore`: `*` and `?` never cross `/`, `**` crosses any
  number of folders, `[a-z]` is a character class, a trailing `/` matches
  folders only (so everything in them), a leading `/` anchors the pattern to
  the root. A pattern that matches a folder matches every file below it.
- A pattern with no `/` except a trailing one (`*.md`, `apps/`) matches at any
  depth. A pattern with a `/` elsewhere (`docs/*`) is relative to the root on
  GitHub, but on GitLab only a leading `/` anchors: `docs/index.md` there
  matches `sub/docs/index.md` too. A file in `.gitlab/`, or one with
  `[Section]` headers, is read with GitLab's rules; any other with GitHub's.
- GitLab sections: `[Section name]`, `^[Optional section]`, `[Section][2]`,
  each optionally followed by default owners for the section's rules that name
  none. Sections of the same name (any case) are one section. Every section
  (and the rules before the first one) picks its own last match, and the
  owners of all the sections that match are combined, in file order.
- `dir/*` matches the files directly in `dir`, not those in its subfolders
  (both hosts document this; `.gitignore` would match the subfolders too).
- `!` negation is not part of CODEOWNERS: such a line is a problem and ignored.

Patterns are matched against paths relative to the base folder: the folder
that holds the file, or its parent when that folder is `.github`, `.gitlab` or
`docs` (the places GitHub and GitLab look besides the root).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CODEOWNERS_LOCATIONS",
    "CodeOwners",
    "OwnerRule",
    "find_codeowners",
    "load_codeowners",
    "parse_codeowners",
]

CODEOWNERS_LOCATIONS = ("CODEOWNERS", ".github/CODEOWNERS", ".gitlab/CODEOWNERS", "docs/CODEOWNERS")
_DEFAULT_SECTION = ""
_SECTION = re.compile(
    r"^(?P<optional>\^)?\[(?P<name>[^\]]+)\](?:\[(?P<approvals>\d+)\])?"
    r"(?P<rest>.*)$"
)


@dataclass(frozen=True)
class OwnerRule:
    """One rule: a pattern, its owners, and where it is."""

    pattern: str
    owners: tuple[str, ...]
    line: int
    section: str = _DEFAULT_SECTION
    regex: re.Pattern[str] | None = None
    # "dir/" matches folders only (so what is in them); "dir/*" files directly in dir only
    directory_only: bool = False
    files_only: bool = False

    def matches(self, path: str) -> bool:
        """Does the rule match the file `path` (POSIX, relative to the base)?"""
        if self.regex is None:
            return False
        if self.files_only:
            return self.regex.fullmatch(path) is not None
        parts = path.split("/")
        # The file itself, then each folder that holds it: matching a folder matches
        # what is inside. A folder-only pattern (trailing /) cannot match the file.
        start = len(parts) - 1 if self.directory_only else len(parts)
        return any(self.regex.fullmatch("/".join(parts[:end])) for end in range(start, 0, -1))


@dataclass(frozen=True)
class CodeOwners:
    """A parsed CODEOWNERS file."""

    rules: tuple[OwnerRule, ...] = ()
    # section key (lower case) -> default owners; "" is the part before any section
    section_defaults: tuple[tuple[str, tuple[str, ...]], ...] = ()
    flavor: str = "github"  # github | gitlab
    path: Path | None = None
    base: Path | None = None
    problems: tuple[tuple[int, str], ...] = ()

    def owners_of(self, path: str) -> tuple[str, ...] | None:
        """Owners of `path` (POSIX, relative to the base).

        None when no rule matches; an empty tuple when the last matching rule
        names no owners (the path is explicitly unowned).
        """
        path = path.lstrip("/")
        if self.flavor == "github":
            for rule in reversed(self.rules):
                if rule.matches(path):
                    return rule.owners
            return None
        defaults = dict(self.section_defaults)
        found: dict[str, tuple[str, ...]] = {}  # section -> owners, in section order
        for rule in reversed(self.rules):
            if rule.section not in found and rule.matches(path):
                found[rule.section] = rule.owners or defaults.get(rule.section, ())
        if not found:
            return None
        order = [key for key, _ in self.section_defaults]
        owners: list[str] = []
        for section in sorted(found, key=order.index):
            owners.extend(o for o in found[section] if o not in owners)
        return tuple(owners)

    def owners_of_file(self, file: Path) -> tuple[str, ...] | None:
        """Owners of `file`, an absolute path; None outside the base or when nothing matches."""
        if self.base is None:
            return None
        try:
            rel = file.relative_to(self.base)
        except ValueError:
            try:
                rel = file.resolve().relative_to(self.base.resolve())
            except (ValueError, OSError):
                return None
        return self.owners_of(rel.as_posix())


def find_codeowners(root: Path, configured: str = "") -> Path | None:
    """The CODEOWNERS file of the knowledge base at `root`, if there is one.

    `configured` (the `review.codeowners` setting, relative to `root`) wins;
    otherwise the first of `CODEOWNERS`, `.github/`, `.gitlab/`, `docs/`.
    """
    if configured:
        path = root / configured
        return path if path.is_file() else None
    for name in CODEOWNERS_LOCATIONS:
        path = root / name
        if path.is_file():
            return path
    return None


def base_folder(path: Path) -> Path:
    """The folder patterns in the CODEOWNERS file `path` are relative to."""
    folder = path.parent
    return folder.parent if folder.name in (".github", ".gitlab", "docs") else folder


def load_codeowners(path: Path) -> CodeOwners:
    """Read and parse the CODEOWNERS file at `path` (undecodable bytes are replaced)."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    flavor = "gitlab" if path.parent.name == ".gitlab" else None
    parsed = parse_codeowners(text, flavor=flavor)
    return CodeOwners(
        rules=parsed.rules,
        section_defaults=parsed.section_defaults,
        flavor=parsed.flavor,
        path=path,
        base=base_folder(path),
        problems=parsed.problems,
    )


def parse_codeowners(text: str, *, flavor: str | None = None) -> CodeOwners:
    """Parse CODEOWNERS text. `flavor` github or gitlab; None: gitlab if it has sections."""
    lines = text.splitlines()
    if flavor is None:
        flavor = "gitlab" if any(_section_header(line) for line in lines) else "github"
    rules: list[OwnerRule] = []
    problems: list[tuple[int, str]] = []
    section = _DEFAULT_SECTION
    defaults: dict[str, tuple[str, ...]] = {_DEFAULT_SECTION: ()}
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        header = _section_header(stripped) if flavor == "gitlab" else None
        if header is not None:
            name, owners = header
            section = name.lower()
            if owners or section not in defaults:
                defaults[section] = owners
            continue
        words = _split(stripped)
        pattern, owners = words[0], tuple(words[1:])
        if pattern.startswith("!"):
            problems.append((number, f"'{pattern}': negation (!) is not supported in CODEOWNERS"))
            continue
        try:
            regex, directory_only = _compile(pattern, anchor_middle=flavor == "github")
        except re.error as exc:
            problems.append((number, f"'{pattern}': not a valid pattern ({exc})"))
            continue
        files_only = not directory_only and (pattern == "*" or pattern.endswith("/*"))
        rules.append(
            OwnerRule(
                pattern=pattern,
                owners=owners,
                line=number,
                section=section,
                regex=regex,
                directory_only=directory_only,
                files_only=files_only,
            )
        )
    return CodeOwners(
        rules=tuple(rules),
        section_defaults=tuple(defaults.items()),
        flavor=flavor,
        problems=tuple(problems),
    )


def _section_header(line: str) -> tuple[str, tuple[str, ...]] | None:
    """(name, default owners) when `line` is a GitLab section header."""
    match = _SECTION.match(line.strip())
    if match is None:
        return None
    rest = match.group("rest").strip()
    owners = tuple(_split(rest)) if rest else ()
    if owners and not all(_looks_like_owner(o) for o in owners):
        return None  # e.g. "[abc]*.md @x": a pattern with a character class
    return match.group("name").strip(), owners


def _looks_like_owner(word: str) -> bool:
    return word.startswith("@") or "@" in word


def _split(text: str) -> list[str]:
    """Words of a rule: backslash escapes a space or `#`; a word starting with `#` ends it."""
    words: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            current.append(c + text[i + 1])
            i += 2
            continue
        if c in " \t":
            if current:
                words.append("".join(current))
                current = []
        elif c == "#" and not current:
            break  # a comment
        else:
            current.append(c)
        i += 1
    if current:
        words.append("".join(current))
    return words


@lru_cache(maxsize=1024)
def _compile(pattern: str, *, anchor_middle: bool) -> tuple[re.Pattern[str], bool]:
    """A regex for the paths `pattern` matches, and whether it matches folders only."""
    directory_only = pattern.endswith("/") and not pattern.endswith("\\/")
    body = pattern.rstrip("/") if directory_only else pattern
    anchored = body.startswith("/") or (anchor_middle and "/" in body)
    body = body.lstrip("/")
    if not body:  # "/" alone: the whole tree
        return re.compile(r".*"), False
    if body == "**":
        return re.compile(r".*"), directory_only
    if body.startswith("**/"):
        body = body[3:]
        anchored = False
    regex = _translate(body)
    if not anchored:
        regex = r"(?:.*/)?" + regex
    return re.compile(regex, re.DOTALL), directory_only


def _translate(glob: str) -> str:
    """gitignore glob (no leading `/` or `**/`) to a regex over a whole path."""
    out: list[str] = []
    i = 0
    n = len(glob)
    while i < n:
        c = glob[i]
        if c == "\\" and i + 1 < n:
            out.append(re.escape(glob[i + 1]))
            i += 2
        elif c == "*":
            j = i
            while j < n and glob[j] == "*":
                j += 1
            stars = j - i
            at_start = i == 0 or glob[i - 1] == "/"
            at_end = j == n or glob[j] == "/"
            if stars >= 2 and at_start and at_end:
                if j == n:  # trailing /**: everything inside
                    out.append(r".*")
                else:  # /**/: zero or more folders
                    out.append(r"(?:[^/]*/)*")
                    j += 1  # the / is part of it
            else:
                out.append(r"[^/]*")
            i = j
        elif c == "?":
            out.append(r"[^/]")
            i += 1
        elif c == "[":
            end = _class_end(glob, i)
            if end < 0:
                out.append(re.escape(c))
                i += 1
            else:
                inner = glob[i + 1 : end]
                negate = inner[:1] in ("!", "^")
                if negate:
                    inner = inner[1:]
                inner = inner.replace("\\", "\\\\")
                out.append("[" + ("^/" if negate else "") + inner + "]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _class_end(glob: str, start: int) -> int:
    """Index of the `]` closing the class opened at `start`; -1 when unclosed."""
    i = start + 1
    if i < len(glob) and glob[i] in "!^":
        i += 1
    if i < len(glob) and glob[i] == "]":
        i += 1
    while i < len(glob):
        if glob[i] == "]":
            return i
        if glob[i] == "/":
            return -1
        i += 1
    return -1
