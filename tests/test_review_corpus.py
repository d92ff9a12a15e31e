"""`kbtool review` on the real Business Central docs, with `ms.date` mapped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from cliutil import run
from conftest import CONFIGS

from kbtool.config import load_config
from kbtool.corpus import load_corpus
from kbtool.review import build_report, review_corpus

AS_OF = dt.date(2026, 11, 23)


@pytest.mark.corpora
def test_business_central_distribution(corpora: Path) -> None:
    root = corpora / "business-central-en"
    config_file = CONFIGS / "business-central.toml"
    config, problems = load_config(root, config_file)
    assert not [p for p in problems if p.severity == "error"]
    assert config.field_keys("review_every") == ("ms.update-cycle",)
    corpus = load_corpus(config)
    report = review_corpus(corpus, as_of=AS_OF)
    summary = report.summary
    # ms.date runs from 2021-02-18 to 2026-08-13: on 2026-11-23 a quarterly cadence has
    # left nearly everything overdue. Every article has a date: none is never reviewed.
    assert (
        summary.total,
        summary.overdue,
        summary.due_soon,
        summary.never_reviewed,
        summary.ok,
    ) == (2112, 2101, 1, 0, 10)
    assert summary.on_schedule_pct == 0.5
    own = [i for i in report.items if i.interval_source == "article"]
    assert len(own) == 40  # the files with ms.update-cycle: 180-days
    assert {str(i.interval) for i in own} == {"180d"}
    assert Counter(i.status.value for i in own) == {"overdue": 29, "ok": 10, "due-soon": 1}
    assert min(i.last_reviewed for i in report.items if i.last_reviewed) == dt.date(2021, 2, 18)

    # Without the per-article cadence those 11 on schedule would all be overdue.
    plain = build_report(
        [dataclasses.replace(i.article, review_every=None) for i in report.items],
        as_of=AS_OF,
        policy=report.policy,
    )
    assert plain.summary.overdue == 2112

    result = run(
        "--config",
        str(config_file),
        "-C",
        str(root),
        "review",
        "--as-of",
        AS_OF.isoformat(),
        "--format",
        "json",
        "--status",
        "ok",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["summary"]["on_schedule"] == 11
    assert len(data["articles"]) == 10
    assert (
        "As of 2026-11-23: 2101 overdue, 1 due soon, 0 never reviewed, 10 ok: "
        "0.5% on schedule (11 of 2112)"
    ) in result.stderr
