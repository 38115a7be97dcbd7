"""Pure rules of delivery ratings: what a rating may hold, how long it may change, when it is
low, which lateness class a delivery falls in, and the summary figures.

Plain data in, plain data out; time comes in as an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

STARS = range(1, 6)
# Why a delivery disappointed; the shopper may tick any of them (all optional).
REASONS = ("late", "damaged", "courier", "packaging", "other")
COMMENT_LENGTH = 2000
# A rating may be changed for this long after it was first given; then it stands.
CHANGE_WINDOW = timedelta(days=14)
# 1-2 stars: the shopper was let down; the merchant gets an attention item.
LOW_STARS = 2
# Hours after delivery the rating request goes out, unless the merchant chose otherwise.
DEFAULT_REQUEST_AFTER_HOURS = 24
MAX_REQUEST_AFTER_HOURS = 24 * 30

# The lateness classes of the summary, by whole days past the promise window at hand-off.
ON_TIME = "on_time"
LATE_1_2 = "late_1_2_days"
LATE_MORE = "late_3_days_or_more"
NO_PROMISE = "no_promise"
LATENESS_CLASSES = (ON_TIME, LATE_1_2, LATE_MORE, NO_PROMISE)
GROUPINGS = ("carrier", "lane", "warehouse", "lateness", "exception")


class RatingRuleBroken(ValueError):
    """The rating's content breaks a rule; the message says which."""


@dataclass(frozen=True)
class RatingInput:
    """What the shopper gave: checked stars, reasons in a fixed order, a trimmed comment."""

    stars: int
    reasons: tuple[str, ...] = ()
    comment: str = ""
    items: tuple[tuple[str, int], ...] = ()  # (sku, stars)


def checked_rating(
    stars: object, reasons: Iterable[str] = (), comment: str = "", items: Iterable[tuple[str, object]] = ()
) -> RatingInput:
    """The rating as stored, or :class:`RatingRuleBroken` naming the broken rule."""
    value = _stars(stars, "the delivery")
    given = set(reasons)
    unknown = given - set(REASONS)
    if unknown:
        raise RatingRuleBroken(f"unknown reason {sorted(unknown)[0]!r}; reasons are {', '.join(REASONS)}")
    comment = comment.strip()
    if len(comment) > COMMENT_LENGTH:
        raise RatingRuleBroken(f"the comment must be at most {COMMENT_LENGTH} characters")
    rated_items = tuple(sorted((sku, _stars(value_, f"item {sku}")) for sku, value_ in items if value_ != ""))
    return RatingInput(value, tuple(r for r in REASONS if r in given), comment, rated_items)


def _stars(value: object, what: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise RatingRuleBroken(f"rate {what} with 1 to 5 stars") from None
    if number not in STARS:
        raise RatingRuleBroken(f"rate {what} with 1 to 5 stars")
    return number


def is_low(stars: int) -> bool:
    return stars <= LOW_STARS


def still_changeable(first_given_at: datetime, now: datetime) -> bool:
    """A rating may change until 14 days after it was first given (that instant excluded)."""
    return now < first_given_at + CHANGE_WINDOW


def request_due_at(delivered_at: datetime, hours: int) -> datetime:
    return delivered_at + timedelta(hours=hours)


def checked_request_hours(hours: object) -> int:
    try:
        value = int(str(hours).strip())
    except ValueError:
        raise RatingRuleBroken("the hours after delivery must be a whole number") from None
    if not 0 <= value <= MAX_REQUEST_AFTER_HOURS:
        raise RatingRuleBroken(f"the hours after delivery must be 0 to {MAX_REQUEST_AFTER_HOURS}")
    return value


def lateness_class(days_late: int | None) -> str:
    """On time (inside or before the window), 1-2 days late, 3 days or more; no promise."""
    if days_late is None:
        return NO_PROMISE
    if days_late <= 0:
        return ON_TIME
    return LATE_1_2 if days_late <= 2 else LATE_MORE


@dataclass(frozen=True)
class RatedFacts:
    """One rating joined to what happened to its order (see docs/analytics.md, "Ratings")."""

    stars: int
    delivered_on: date
    carrier: str
    lane: str
    warehouse: str | None
    days_late: int | None
    had_exception: bool


@dataclass(frozen=True)
class RatingGroup:
    """The figures of one group: ratings, their mean, and the share of 1-2 stars."""

    key: str
    ratings: int
    stars_total: int
    low: int

    @property
    def average(self) -> float | None:
        return round(self.stars_total / self.ratings, 2) if self.ratings else None

    @property
    def low_share(self) -> float | None:
        return round(self.low / self.ratings, 4) if self.ratings else None


def _key_of(grouping: str) -> Callable[[RatedFacts], str]:
    return {
        "carrier": lambda f: f.carrier,
        "lane": lambda f: f.lane,
        "warehouse": lambda f: f.warehouse or "none",
        "lateness": lambda f: lateness_class(f.days_late),
        "exception": lambda f: "exception" if f.had_exception else "no_exception",
    }[grouping]


def summarise(facts: Iterable[RatedFacts], grouping: str | None = None) -> list[RatingGroup]:
    """All ratings as one group (``grouping`` None), or one group per value, most ratings first."""
    key = _key_of(grouping) if grouping else (lambda _f: "all")
    totals: dict[str, list[int]] = {}
    for fact in facts:
        entry = totals.setdefault(key(fact), [0, 0, 0])
        entry[0] += 1
        entry[1] += fact.stars
        entry[2] += is_low(fact.stars)
    groups = [RatingGroup(k, n, total, low) for k, (n, total, low) in totals.items()]
    return sorted(groups, key=lambda g: (-g.ratings, g.key))


@dataclass(frozen=True)
class CountedFacts:
    """Ratings already counted per combination of what happened (one row of a GROUP BY)."""

    carrier: str
    lane: str
    warehouse: str | None
    lateness: str
    had_exception: bool
    ratings: int
    stars_total: int
    low: int


_COUNTED_KEYS: dict[str, Callable[[CountedFacts], str]] = {
    "carrier": lambda c: c.carrier,
    "lane": lambda c: c.lane,
    "warehouse": lambda c: c.warehouse or "none",
    "lateness": lambda c: c.lateness,
    "exception": lambda c: "exception" if c.had_exception else "no_exception",
}


def summarise_counted(counted: Iterable[CountedFacts], grouping: str | None = None) -> list[RatingGroup]:
    """The same groups as :func:`summarise`, from counts made by the database."""
    key = _COUNTED_KEYS[grouping] if grouping else (lambda _c: "all")
    totals: dict[str, list[int]] = {}
    for row in counted:
        entry = totals.setdefault(key(row), [0, 0, 0])
        entry[0] += row.ratings
        entry[1] += row.stars_total
        entry[2] += row.low
    groups = [RatingGroup(k, n, total, low) for k, (n, total, low) in totals.items()]
    return sorted(groups, key=lambda g: (-g.ratings, g.key))


def lane_of(
    carrier: str, origin_country: str | None, destination_country: str | None, region: str | None
) -> str:
    """carrier × origin country × destination country and region, as the analytics lanes read."""
    destination = f"{destination_country or '?'}-{region}" if region else destination_country or "?"
    return f"{carrier}:{origin_country or '?'}>{destination}"
