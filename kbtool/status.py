"""Statuses that are ranked by urgency: review status, translation status.

Members are declared from most to least urgent; their values are the words
people type (`due-soon`, `up-to-date`) and see (`due soon`).
"""

from __future__ import annotations

import enum
import re
from typing import Self

from kbtool.errors import UsageError

__all__ = ["RankedStatus"]

_RANKS: dict[type[enum.Enum], dict[enum.Enum, int]] = {}


class RankedStatus(enum.Enum):
    """A status enum whose members are declared from most to least urgent."""

    def __str__(self) -> str:
        return str(self.value)

    @property
    def label(self) -> str:
        """`due soon`, `never reviewed`: for people."""
        return str(self.value).replace("-", " ")

    @property
    def rank(self) -> int:
        """0 for the most urgent: the order of declaration."""
        ranks = _RANKS.get(type(self))
        if ranks is None:  # once per enum: reports sort tens of thousands of rows by rank
            ranks = _RANKS[type(self)] = {m: i for i, m in enumerate(type(self))}
        return ranks[self]

    @classmethod
    def parse(cls, text: str) -> Self:
        """The member named by `text` (`due soon`, `Due_Soon`, `due-soon` all work)."""
        wanted = text.strip().lower().replace("_", "-").replace(" ", "-")
        for status in cls:
            if status.value == wanted:
                return status
        choices = ", ".join(str(s.value) for s in cls)
        noun = re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()  # "review status"
        raise UsageError(f"unknown {noun} '{text}' (use {choices})")

    def at_or_above(self, threshold: Self) -> bool:
        """Is this status as urgent as `threshold` or more (for `--fail-on`)?"""
        return self.rank <= threshold.rank
