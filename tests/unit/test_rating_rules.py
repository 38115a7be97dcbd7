"""The pure rules of delivery ratings: what a rating may hold, the 14-day window, lateness
classes and the summary figures (mean stars, share of 1-2 stars)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertrack.analytics import rating_rules as rules


def test_a_rating_keeps_reasons_in_a_fixed_order_and_trims_the_comment() -> None:
    given_ = rules.checked_rating("4", ["other", "late"], "  fine  ", [("Mug", "5"), ("Tent", "")])
    assert given_ == rules.RatingInput(4, ("late", "other"), "fine", (("Mug", 5),))


@pytest.mark.parametrize("stars", ["0", "6", "", "four", "2.5", None])
def test_stars_outside_one_to_five_are_refused(stars: object) -> None:
    with pytest.raises(rules.RatingRuleBroken, match="1 to 5 stars"):
        rules.checked_rating(stars)


def test_unknown_reasons_long_comments_and_bad_item_stars_are_refused() -> None:
    with pytest.raises(rules.RatingRuleBroken, match="unknown reason 'rude'"):
        rules.checked_rating(3, ["rude"])
    with pytest.raises(rules.RatingRuleBroken, match="at most 2000"):
        rules.checked_rating(3, comment="x" * 2001)
    with pytest.raises(rules.RatingRuleBroken, match="item Mug"):
        rules.checked_rating(3, items=[("Mug", "9")])


def test_a_rating_changes_until_14_days_after_it_was_first_given() -> None:
    given_at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert rules.still_changeable(given_at, given_at + timedelta(days=14) - timedelta(seconds=1))
    assert not rules.still_changeable(given_at, given_at + timedelta(days=14))


@pytest.mark.parametrize(
    ("days_late", "expected"),
    [
        (None, "no_promise"),
        (-3, "on_time"),
        (0, "on_time"),
        (1, "late_1_2_days"),
        (2, "late_1_2_days"),
        (3, "late_3_days_or_more"),
    ],
)
def test_lateness_classes(days_late: int | None, expected: str) -> None:
    assert rules.lateness_class(days_late) == expected


def _fact(
    stars: int, carrier: str = "ups", days_late: int | None = 0, exception: bool = False
) -> rules.RatedFacts:
    return rules.RatedFacts(
        stars, date(2026, 12, 1), carrier, f"{carrier}:US>US-NY", "W1", days_late, exception
    )


def test_summary_on_a_hand_computed_set() -> None:
    facts = [_fact(5), _fact(1, days_late=4), _fact(2, "dpd", days_late=1, exception=True), _fact(4, "dpd")]
    (overall,) = rules.summarise(facts)
    # (5 + 1 + 2 + 4) / 4 = 3.0; two of four are 1-2 stars.
    assert (overall.ratings, overall.average, overall.low, overall.low_share) == (4, 3.0, 2, 0.5)
    by_lateness = {g.key: (g.ratings, g.average) for g in rules.summarise(facts, "lateness")}
    assert by_lateness == {"on_time": (2, 4.5), "late_3_days_or_more": (1, 1.0), "late_1_2_days": (1, 2.0)}
    assert [(g.key, g.low) for g in rules.summarise(facts, "exception")] == [
        ("no_exception", 1),
        ("exception", 1),
    ]


def test_no_ratings_have_no_average_rather_than_zero() -> None:
    assert rules.summarise([]) == []
    assert rules.RatingGroup("all", 0, 0, 0).average is None


@given(st.lists(st.integers(1, 5), min_size=1, max_size=50), st.sampled_from(rules.GROUPINGS))
def test_groups_add_up_to_the_whole(stars: list[int], grouping: str) -> None:
    facts = [
        _fact(s, carrier=("ups", "dpd", "fedex")[i % 3], days_late=i % 5 - 1) for i, s in enumerate(stars)
    ]
    groups = rules.summarise(facts, grouping)
    assert sum(g.ratings for g in groups) == len(stars)
    assert sum(g.stars_total for g in groups) == sum(stars)
    assert sum(g.low for g in groups) == sum(1 for s in stars if s <= 2)


@given(
    st.lists(st.tuples(st.integers(1, 5), st.integers(0, 2), st.integers(-2, 5), st.booleans()), max_size=40)
)
def test_counts_made_by_the_database_give_the_same_groups_as_the_ratings(rows: list) -> None:
    facts = [_fact(s, ("ups", "dpd", "fedex")[c], days_late=d, exception=e) for s, c, d, e in rows]
    counted: dict[tuple, list[int]] = {}
    for f in facts:
        key = (f.carrier, f.lane, f.warehouse, rules.lateness_class(f.days_late), f.had_exception)
        entry = counted.setdefault(key, [0, 0, 0])
        entry[0] += 1
        entry[1] += f.stars
        entry[2] += rules.is_low(f.stars)
    as_rows = [rules.CountedFacts(*key, *numbers) for key, numbers in counted.items()]
    for grouping in (None, *rules.GROUPINGS):
        assert rules.summarise_counted(as_rows, grouping) == rules.summarise(facts, grouping)
