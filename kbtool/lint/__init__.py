"""The linter: rules by family in `rules/`, one Diagnostic type, an engine that runs them."""

from __future__ import annotations

from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit
from kbtool.lint.registry import RULES, Rule, rule

__all__ = ["RULES", "Diagnostic", "Fix", "Rule", "TextEdit", "rule"]
