"""Tagging by customer-journey stage and channel, and the coverage matrix.

- `rules`: `[[tags.rules]]` matching and what `tags auto` would change (`plan_tags`);
- `edit`: writing stages and channels with the safe-edit routine (`set_tags`,
  `changes_for_plans`, `apply_changes`); articles are chosen with
  `kbtool.corpus.select.resolve_targets`, as `review mark` chooses them;
- `suggest`: proposals with evidence and a confidence for untagged articles;
- `matrix`: published articles per stage × channel (`coverage_matrix`), which
  `kbtool report` also draws.

Values are validated with `kbtool.taxonomy`, the one taxonomy check the linter
(KB107) uses too.
"""

from __future__ import annotations

from kbtool.corpus.select import resolve_targets
from kbtool.tags.edit import TagChange, apply_changes, changes_for_plans, set_tags
from kbtool.tags.matrix import (
    GROUP_FIELDS,
    CellState,
    CoverageMatrix,
    Gap,
    StageChannelMatrix,
    coverage_matrix,
)
from kbtool.tags.rules import TAG_FIELDS, RuleHit, TagPlan, TagRule, compile_rules, plan_tags
from kbtool.tags.suggest import Evidence, Proposal, Suggestion, suggest_tags

__all__ = [
    "GROUP_FIELDS",
    "TAG_FIELDS",
    "CellState",
    "CoverageMatrix",
    "Evidence",
    "Gap",
    "Proposal",
    "RuleHit",
    "StageChannelMatrix",
    "Suggestion",
    "TagChange",
    "TagPlan",
    "TagRule",
    "apply_changes",
    "changes_for_plans",
    "compile_rules",
    "coverage_matrix",
    "plan_tags",
    "resolve_targets",
    "set_tags",
    "suggest_tags",
]
