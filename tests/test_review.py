"""Review policy and status (kbtool.review): intervals, statuses, owners, the plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import KbFactory
from gitutil import commit_all, git, init_repo, isolate_git

from kbtool.config import load_config, parse_config
from kbtool.corpus import Article, load_corpus
from kbtool.dates import Interval, parse_interval
from kbtool.errors import UsageError
from kbtool.review import (
    REVIEW_TRAILER,
    ReviewFilter,
    ReviewItem,
    ReviewPolicy,
    ReviewReport,
    ReviewStatus,
    ReviewSummary,
    assess,
    failing,
    next_weeks,
    parse_quarter,
    plan_reviews,
    review_corpus,
)

AS_OF = dt.date(2026, 11, 23)
D = dt.date


def make_article(rel: str = "en/account/a.md", **fields: Any) -> Article:
    locale, section = rel.split("/")[0], rel.split("/")[-2]
    values: dict[str, Any] = {
        "path": Path("/kb/articles") / rel,
        "rel_path": rel,
        "locale": locale,
        "id": Path(rel).stem,
        "title": Path(rel).stem,
        "section": section,
        "status": "published",
    }
    values.update(fields)
    return Article(**values)


def states_report(kb_repo: KbFactory, **options: Any) -> ReviewReport:
    repo = kb_repo("review-states")
    config, problems = load_config(repo)
    assert not problems
    return review_corpus(load_corpus(config), as_of=AS_OF, **options)


# --------------------------------------------------------------------------- the fixture

# rel path -> (status, due, days overdue, interval source, owner); as of 2026-11-23,
# quarterly by default, due-soon window 14 days (to 2026-12-07).
EXPECTED = {
    "en/account/month-end.md": ("overdue", D(2026, 2, 28), 268, "default", "account-team"),
    "en/account/overdue.md": ("overdue", D(2026, 10, 1), 53, "default", "account-team"),
    "en/billing/price-change.md": (
        "overdue",
        D(2026, 10, 1),
        53,
        "section billing",
        "billing-team",
    ),
    "en/account/own-interval.md": ("overdue", D(2026, 10, 30), 24, "article", "account-team"),
    "en/billing/invoices.md": ("overdue", D(2026, 11, 15), 8, "section billing", "billing-team"),
    "en/account/overdue-by-one-day.md": ("overdue", D(2026, 11, 22), 1, "default", "account-team"),
    "en/account/bad-date.md": ("never-reviewed", None, None, "default", "unassigned"),
    "en/account/never.md": ("never-reviewed", None, None, "default", "@acme/account-team"),
    "en/account/due-today.md": ("due-soon", D(2026, 11, 23), 0, "default", "account-team"),
    "en/account/due-soon.md": ("due-soon", D(2026, 11, 30), -7, "default", "account-team"),
    "sv/account/overdue.md": ("due-soon", D(2026, 12, 1), -8, "locale sv", "@acme/swedish"),
    "en/account/due-at-window-end.md": ("due-soon", D(2026, 12, 7), -14, "default", "account-team"),
    "en/account/ok-after-window.md": ("ok", D(2026, 12, 8), -15, "default", "account-team"),
    "en/account/ok.md": ("ok", D(2027, 1, 1), -39, "default", "account-team"),
    "en/account/weird-interval.md": ("ok", D(2027, 1, 1), -39, "default", "account-team"),
    "en/news/launch.md": ("ok", D(2027, 1, 10), -48, "type announcement", "marketing"),
}


def test_every_state_of_the_fixture(kb_repo: KbFactory) -> None:
    report = states_report(kb_repo)
    got = {
        i.article.rel_path: (i.status.value, i.due, i.days_overdue, i.interval_source, i.owner)
        for i in report.items
    }
    assert got == EXPECTED
    # most urgent first: overdue by days, never reviewed (longest unedited first, then by
    # path), due soon by date, ok by date
    assert [i.article.rel_path for i in report.items] == list(EXPECTED)


def test_summary_line(kb_repo: KbFactory) -> None:
    summary = states_report(kb_repo).summary
    assert (summary.overdue, summary.due_soon, summary.never_reviewed, summary.ok) == (6, 4, 2, 4)
    assert summary.on_schedule_pct == 50.0
    assert str(summary) == (
        "6 overdue, 4 due soon, 2 never reviewed, 4 ok: 50% on schedule (8 of 16)"
    )


def test_drafts_and_archived_only_when_asked(kb_repo: KbFactory) -> None:
    paths = {i.article.rel_path for i in states_report(kb_repo).items}
    assert "en/account/draft.md" not in paths
    assert "en/old/retired.md" not in paths
    report = states_report(kb_repo, drafts=True, archived=True)
    statuses = {i.article.rel_path: i.status for i in report.items}
    assert statuses["en/account/draft.md"] is ReviewStatus.OVERDUE
    assert statuses["en/old/retired.md"] is ReviewStatus.OVERDUE
    drafts_only = {i.article.rel_path for i in states_report(kb_repo, drafts=True).items}
    assert "en/account/draft.md" in drafts_only
    assert "en/old/retired.md" not in drafts_only


def test_notes_explain_unusable_values(kb_repo: KbFactory) -> None:
    items = {i.article.rel_path: i for i in states_report(kb_repo).items}
    bad_date = items["en/account/bad-date.md"]
    assert bad_date.notes == ("'last_reviewed' is not a date in the configured formats: 'someday'",)
    weird = items["en/account/weird-interval.md"]
    assert len(weird.notes) == 1
    assert weird.notes[0].startswith("'review_every': not an interval: 'sometimes'")
    assert weird.interval == Interval(months=3)


def test_never_reviewed_shows_last_edit_but_is_never_a_review(kb_repo: KbFactory) -> None:
    items = {i.article.rel_path: i for i in states_report(kb_repo).items}
    never = items["en/account/never.md"]
    assert never.status is ReviewStatus.NEVER_REVIEWED
    assert never.last_reviewed is None
    assert never.last_edited == D(2026, 1, 15)  # the fixture's commit date
    assert never.describe_due() == "never reviewed"


def test_owner_sources(kb_repo: KbFactory) -> None:
    items = {i.article.rel_path: i for i in states_report(kb_repo).items}
    assert items["en/account/ok.md"].owner_source.value == "front-matter"
    assert items["en/account/never.md"].owner_source.value == "codeowners"
    assert items["en/account/bad-date.md"].owner_source.value == "none"


# --------------------------------------------------------------------------- dates and policy


@pytest.mark.parametrize(
    ("start", "interval", "due"),
    [
        (D(2025, 11, 30), "quarterly", D(2026, 2, 28)),  # 30 Nov + a quarter: end of February
        (D(2027, 11, 30), "quarterly", D(2028, 2, 29)),  # ... in a leap year
        (D(2024, 2, 29), "yearly", D(2025, 2, 28)),
        (D(2024, 2, 29), "quarterly", D(2024, 5, 29)),
        (D(2026, 1, 31), "monthly", D(2026, 2, 28)),
        (D(2026, 8, 31), "quarterly", D(2026, 11, 30)),
        (D(2026, 11, 23), "90d", D(2027, 2, 21)),
        (D(2026, 11, 23), "6w", D(2027, 1, 4)),
        (D(2026, 6, 2), "180-days", D(2026, 11, 29)),
        (D(2026, 5, 31), "6 months", D(2026, 11, 30)),
    ],
)
def test_due_dates(start: dt.date, interval: str, due: dt.date) -> None:
    assert parse_interval(interval).after(start) == due


def test_interval_precedence() -> None:
    config, problems = parse_config(
        '[review]\ndefault_interval = "yearly"\n'
        '[review.intervals.section]\nbilling = "monthly"\n'
        '[review.intervals.type]\nfaq = "6 months"\n'
        '[review.intervals.locale]\nsv = "90d"\n'
    )
    assert not problems
    policy = ReviewPolicy.from_config(config)

    def source(**fields: Any) -> tuple[str, str]:
        rel = fields.pop("rel", "en/account/a.md")
        interval, where, _ = policy.interval_for(make_article(rel, **fields))
        return str(interval), where

    assert source(rel="sv/billing/a.md", type="faq", review_every="6w") == ("42d", "article")
    assert source(rel="sv/billing/a.md", type="faq") == ("monthly", "section billing")
    assert source(rel="sv/account/a.md", type="faq") == ("half-yearly", "type faq")
    assert source(rel="sv/account/a.md", type="how-to") == ("90d", "locale sv")
    assert source(rel="en/account/a.md") == ("yearly", "default")
    assert source(review_every="90") == ("90d", "article")  # a bare number is days


def test_status_boundaries() -> None:
    policy = ReviewPolicy()

    def status(reviewed: dt.date) -> ReviewStatus:
        item = assess(make_article(last_reviewed=reviewed), as_of=AS_OF, policy=policy)
        return item.status

    assert status(D(2026, 8, 22)) is ReviewStatus.OVERDUE  # due yesterday
    assert status(D(2026, 8, 23)) is ReviewStatus.DUE_SOON  # due today
    assert status(D(2026, 9, 7)) is ReviewStatus.DUE_SOON  # due on the window's last day
    assert status(D(2026, 9, 8)) is ReviewStatus.OK
    future = assess(make_article(last_reviewed=D(2026, 12, 1)), as_of=AS_OF, policy=policy)
    assert future.status is ReviewStatus.OK
    assert future.notes == ("reviewed on 2026-12-01, after the as-of date",)


def test_fail_on_thresholds() -> None:
    items = [
        assess(make_article(f"en/s/{n}.md", last_reviewed=d), as_of=AS_OF, policy=ReviewPolicy())
        for n, d in (("overdue", D(2026, 1, 1)), ("soon", D(2026, 8, 30)), ("ok", D(2026, 11, 1)))
    ]
    items.append(assess(make_article("en/s/never.md"), as_of=AS_OF, policy=ReviewPolicy()))

    def names(threshold: str) -> list[str]:
        return [i.article.id for i in failing(items, ReviewStatus.parse(threshold))]

    assert names("overdue") == ["overdue"]
    assert names("never-reviewed") == ["overdue", "never"]
    assert names("due-soon") == ["overdue", "never", "soon"]
    with pytest.raises(UsageError, match="unknown review status 'late'"):
        ReviewStatus.parse("late")


def test_filter_scope_and_owners() -> None:
    item = assess(
        make_article(owner="@Acme/Billing", type="faq"), as_of=AS_OF, policy=ReviewPolicy()
    )
    assert ReviewFilter(owners=("acme/billing",)).matches(item)
    assert not ReviewFilter(owners=("someone",)).matches(item)
    assert ReviewFilter(types=("faq",), locales=("en",), sections=("account",)).matches(item)
    assert not ReviewFilter(types=("how-to",)).matches(item)
    unowned = assess(make_article(), as_of=AS_OF, policy=ReviewPolicy())
    assert ReviewFilter(owners=("unassigned",)).matches(unowned)
    never = ReviewFilter(statuses=(ReviewStatus.OVERDUE,))
    assert never.in_scope(unowned) and not never.matches(unowned)


def test_summary_of_nothing() -> None:
    summary = ReviewSummary.of([])
    assert summary.on_schedule_pct == 100.0
    assert str(summary) == "no published articles to review"


# --------------------------------------------------------------------------- changed since review


def test_changed_since_review_is_one_git_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git(monkeypatch)
    repo = init_repo(tmp_path / "kb")
    folder = repo / "articles" / "en" / "guide"
    folder.mkdir(parents=True)

    def write(name: str, reviewed: str, body: str = "Body.\n") -> None:
        (folder / name).write_text(f"---\nlast_reviewed: {reviewed}\n---\n\n{body}")

    write("edited-later.md", "2026-01-10")
    write("edited-within-a-day.md", "2026-01-10")
    write("review-commit.md", "2026-01-10")
    write("added-once.md", "2025-06-01")
    write("never.md", "")
    commit_all(repo, "Add articles", date="2026-01-10T12:00:00+00:00")
    write("edited-within-a-day.md", "2026-01-10", "Body, fixed typo.\n")
    commit_all(repo, "Fix a typo", date="2026-01-11T18:00:00+00:00")
    write("edited-later.md", "2026-01-10", "A new procedure.\n")
    write("never.md", "", "Edited, still never reviewed.\n")
    commit_all(repo, "Rewrite the procedure", date="2026-03-01T09:00:00+00:00")
    # a back-dated review recorded by `review mark --commit`: its commit is not an edit
    write("review-commit.md", "2026-02-01")
    git(repo, "add", "--all")
    git(
        repo,
        "commit",
        "-q",
        "-m",
        f"Review 1 article\n\n{REVIEW_TRAILER}: 2026-02-01",
        date="2026-04-01T09:00:00+00:00",
    )

    config, _ = load_config(repo)
    report = review_corpus(load_corpus(config), as_of=D(2026, 4, 2))
    flags = {i.article.id: i.changed_since_review for i in report.items}
    assert flags == {
        "edited-later": True,
        "edited-within-a-day": False,
        "review-commit": False,
        "added-once": False,
        "never": False,
    }


# --------------------------------------------------------------------------- planning


def _item(
    rel: str, reviewed: dt.date | None, *, owner: str = "team-a", interval: str = "quarterly"
) -> ReviewItem:
    article = make_article(rel, owner=owner, last_reviewed=reviewed, review_every=interval)
    return assess(article, as_of=AS_OF, policy=ReviewPolicy())


def test_parse_quarter_and_weeks() -> None:
    assert parse_quarter("2027Q1") == (D(2027, 1, 1), D(2027, 3, 31), "2027Q1")
    assert parse_quarter("2026-q4")[:2] == (D(2026, 10, 1), D(2026, 12, 31))
    assert parse_quarter("Q2 2027")[:2] == (D(2027, 4, 1), D(2027, 6, 30))
    with pytest.raises(UsageError, match="not a quarter"):
        parse_quarter("2027Q5")
    assert next_weeks(AS_OF, 13)[:2] == (AS_OF, D(2027, 2, 21))
    with pytest.raises(UsageError):
        next_weeks(AS_OF, 0)


def test_plan_projects_repeats_and_keeps_a_backlog() -> None:
    items = [
        _item("en/s/monthly.md", D(2026, 12, 15), interval="monthly"),  # due 2027-01-15...
        _item("en/s/quarterly.md", D(2026, 10, 20)),  # due 2027-01-20
        _item("en/s/before.md", D(2026, 9, 10)),  # due 2026-12-10, again 2027-03-10
        _item("en/s/after.md", D(2027, 1, 5)),  # due 2027-04-05: after the quarter
        _item("en/s/overdue.md", D(2026, 1, 1), owner="team-b"),
        _item("en/s/never.md", None, owner="team-b"),
    ]
    start, end, label = parse_quarter("2027Q1")
    plan = plan_reviews(items, as_of=AS_OF, start=start, end=end, label=label)
    due = [(e.item.article.id, e.due, e.repeat) for e in plan.entries]
    assert due == [
        ("monthly", D(2027, 1, 15), 0),
        ("quarterly", D(2027, 1, 20), 0),
        ("monthly", D(2027, 2, 15), 1),
        ("before", D(2027, 3, 10), 0),
        ("monthly", D(2027, 3, 15), 2),
    ]
    assert [i.article.id for i in plan.backlog] == ["overdue", "never"]
    assert plan.weeks[0] == D(2026, 12, 28)  # the Monday of the week 1 January is in
    assert plan.weeks[-1] == D(2027, 3, 29)
    loads = {o.owner: (o.scheduled, o.backlog, o.total) for o in plan.owners}
    assert loads == {"team-a": (5, 0, 5), "team-b": (0, 2, 2)}
    team_a = plan.owners[0]
    assert team_a.weekly[plan.weeks.index(D(2027, 1, 11))] == 1
    assert plan.warnings == ()


def test_plan_warns_about_an_owner_far_above_the_others() -> None:
    items = [_item(f"en/s/busy-{n}.md", D(2026, 10, 1), owner="busy") for n in range(12)]
    items += [_item(f"en/s/{o}.md", D(2026, 10, 1), owner=o) for o in ("a", "b", "c")]
    plan = plan_reviews(items, as_of=AS_OF, start=AS_OF, end=D(2027, 2, 21))
    assert len(plan.warnings) == 2
    assert plan.warnings[0].startswith(
        "busy has 12 reviews in the period (12 due, 0 backlog), "
        "against a median of 1 for the other owners"
    )
    # all 15 fall due in the same week: a peak to spread
    assert plan.warnings[1].startswith("the week of 2026-12-28 has 15 reviews due")


def test_plan_rejects_an_empty_period() -> None:
    with pytest.raises(UsageError):
        plan_reviews([], as_of=AS_OF, start=D(2027, 1, 2), end=D(2027, 1, 1))
