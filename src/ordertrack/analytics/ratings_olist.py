"""Lateness against review score on the Olist marketplace files: the figure ratings analytics must match.

Pure: reads two CSV files with the csv module and returns plain data. The orders are read by the EDD
engine's Olist reader (times made aware in Sao Paulo, the promise kept as a calendar day).

Definitions (docs/analytics.md repeats them with the figures):
- an order counts when its status is ``delivered``, it has a delivery time and a promised day, and it
  has at least one review in the reviews file;
- days late = the calendar day of delivery in Sao Paulo minus the promised day. Olist promises a day
  (its timestamps read ``00:00:00``), so anything delivered on that day, at any hour, is on time;
- the review of an order is its latest answer (``review_answer_timestamp``, then creation date, then
  review id to break ties): a shopper who answered twice meant the second answer.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from statistics import fmean
from zoneinfo import ZoneInfo

from ordertrack.eta.olist import OLIST_TIMEZONE, OlistFormatError, OlistOrder, read_orders

REVIEW_COLUMNS = ("review_id", "order_id", "review_score", "review_answer_timestamp")

# The lateness classes, in order of lateness: (name, fewest days late, most days late or None).
# "1-2 days" is the lateness a shopper forgives or barely notices, "3-7" a missed week, "more than 7"
# an order the shopper likely chased. On time includes early.
LATENESS_CLASSES: tuple[tuple[str, int | None, int | None], ...] = (
    ("on time or early", None, 0),
    ("1-2 days late", 1, 2),
    ("3-7 days late", 3, 7),
    ("more than 7 days late", 8, None),
)
OVERALL = "all delivered"
LATE = "late (1 day or more)"


class ReviewsFormatError(ValueError):
    """The reviews file is not in the Olist reviews format."""


@dataclass(frozen=True)
class Review:
    """One answer to Olist's satisfaction survey."""

    review_id: str
    order_id: str
    score: int
    answered_at: str  # the raw local timestamp; ISO text sorts in time order
    created_at: str


@dataclass(frozen=True)
class RatedDelivery:
    """A delivered order joined to its review."""

    order_id: str
    days_late: int  # negative when early
    score: int


@dataclass(frozen=True)
class ClassFigures:
    """The figures of one lateness class (or of all delivered orders)."""

    name: str
    orders: int
    mean_score: float | None
    low_share: float | None  # 1-2 stars / orders
    five_share: float | None  # 5 stars / orders

    def as_dict(self) -> dict[str, object]:
        return {
            "class": self.name,
            "orders": self.orders,
            "mean_score": None if self.mean_score is None else round(self.mean_score, 3),
            "share_1_2_stars": None if self.low_share is None else round(self.low_share, 4),
            "share_5_stars": None if self.five_share is None else round(self.five_share, 4),
        }


@dataclass(frozen=True)
class LatenessRatings:
    """The whole answer: counts of what joined, figures per class, and how score moves with lateness."""

    orders_read: int
    reviews_read: int
    orders_reviewed: int  # distinct orders with at least one review that is in the orders file
    classes: list[ClassFigures]
    overall: ClassFigures
    late: ClassFigures  # every class but on time, together: the on-time-against-late comparison
    pearson_r: float | None  # days late against score, over every rated delivery
    spearman_rho: float | None
    mean_score_falls: bool  # mean score strictly falls from each class to the next (empty classes skipped)
    low_share_rises: bool  # share of 1-2 stars strictly rises likewise
    excluded: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "orders_read": self.orders_read,
            "reviews_read": self.reviews_read,
            "orders_reviewed": self.orders_reviewed,
            "classes": [c.as_dict() for c in self.classes],
            "overall": self.overall.as_dict(),
            "late": self.late.as_dict(),
            "pearson_r": None if self.pearson_r is None else round(self.pearson_r, 4),
            "spearman_rho": None if self.spearman_rho is None else round(self.spearman_rho, 4),
            "mean_score_falls": self.mean_score_falls,
            "low_share_rises": self.low_share_rises,
            "excluded": dict(sorted(self.excluded.items())),
        }


def read_reviews(path: Path) -> list[Review]:
    """Every review row; raises ReviewsFormatError for missing columns or a score outside 1-5."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REVIEW_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise ReviewsFormatError(f"{path}: missing column(s) {', '.join(missing)}")
        reviews = []
        for line, row in enumerate(reader, start=2):
            text = (row["review_score"] or "").strip()
            if not text.isdigit() or not 1 <= int(text) <= 5:
                raise ReviewsFormatError(f"{path}:{line}: review_score must be 1 to 5, got {text!r}")
            reviews.append(
                Review(
                    review_id=(row["review_id"] or "").strip(),
                    order_id=(row["order_id"] or "").strip(),
                    score=int(text),
                    answered_at=(row["review_answer_timestamp"] or "").strip(),
                    created_at=(row.get("review_creation_date") or "").strip(),
                )
            )
        return reviews


def latest_reviews(reviews: Iterable[Review]) -> dict[str, Review]:
    """Each order's latest answer. Missing answer times sort first, so any dated answer wins."""
    latest: dict[str, Review] = {}
    for review in reviews:
        kept = latest.get(review.order_id)
        if kept is None or _answer_key(review) > _answer_key(kept):
            latest[review.order_id] = review
    return latest


def _answer_key(review: Review) -> tuple[str, str, str]:
    return (review.answered_at, review.created_at, review.review_id)


def days_late(order: OlistOrder) -> int | None:
    """Calendar days from the promised day to the delivery day in Sao Paulo; None when either is unknown."""
    if order.delivered_at is None or order.promised_on is None:
        return None
    delivered_on = order.delivered_at.astimezone(ZoneInfo(OLIST_TIMEZONE)).date()
    return (delivered_on - order.promised_on).days


def lateness_class(late: int) -> str:
    """The name of the class a number of days late falls in."""
    for name, fewest, most in LATENESS_CLASSES:
        if (fewest is None or late >= fewest) and (most is None or late <= most):
            return name
    raise AssertionError(f"no lateness class holds {late}")  # the classes cover every integer


def join(
    orders: Sequence[OlistOrder], reviews: Iterable[Review]
) -> tuple[list[RatedDelivery], int, Counter[str]]:
    """Delivered orders joined to their latest review, how many reviewed orders the orders file holds,
    and why the reviews that did not make a rated delivery were left out."""
    latest = latest_reviews(reviews)
    excluded: Counter[str] = Counter()
    rated = []
    seen: set[str] = set()
    for order in orders:
        review = latest.get(order.order_id)
        if review is None or order.order_id in seen:
            continue
        seen.add(order.order_id)
        if order.status != "delivered":
            excluded[f"reviewed but {order.status or 'no status'}"] += 1
            continue
        late = days_late(order)
        if late is None:
            excluded["delivered without a delivery time or promised day"] += 1
            continue
        rated.append(RatedDelivery(order.order_id, late, review.score))
    excluded["reviews of orders not in the orders file"] = len(set(latest) - seen)
    return rated, len(seen), excluded


def figures(name: str, rated: Sequence[RatedDelivery]) -> ClassFigures:
    """Orders, mean score, share of 1-2 stars and share of 5 stars over the given deliveries."""
    if not rated:
        return ClassFigures(name, 0, None, None, None)
    scores = [r.score for r in rated]
    return ClassFigures(
        name=name,
        orders=len(scores),
        mean_score=fmean(scores),
        low_share=sum(1 for s in scores if s <= 2) / len(scores),
        five_share=sum(1 for s in scores if s == 5) / len(scores),
    )


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's correlation; None with fewer than two points or when either side does not vary."""
    if len(xs) < 2:
        return None
    mean_x, mean_y = fmean(xs), fmean(ys)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties given the mean of the ranks they span (what Spearman's rho needs)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            result[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return result


def lateness_ratings(orders: Sequence[OlistOrder], reviews: Sequence[Review]) -> LatenessRatings:
    """The lateness-vs-rating figures over orders and reviews already read."""
    rated, reviewed, excluded = join(orders, reviews)
    by_class: dict[str, list[RatedDelivery]] = {name: [] for name, _, _ in LATENESS_CLASSES}
    for delivery in rated:
        by_class[lateness_class(delivery.days_late)].append(delivery)
    classes = [figures(name, by_class[name]) for name, _, _ in LATENESS_CLASSES]
    lateness = [float(r.days_late) for r in rated]
    scores = [float(r.score) for r in rated]
    return LatenessRatings(
        orders_read=len(orders),
        reviews_read=len(reviews),
        orders_reviewed=reviewed,
        classes=classes,
        overall=figures(OVERALL, rated),
        late=figures(LATE, [r for r in rated if r.days_late >= 1]),
        pearson_r=pearson(lateness, scores),
        spearman_rho=pearson(ranks(lateness), ranks(scores)) if rated else None,
        mean_score_falls=_strictly_rising([-c.mean_score for c in classes if c.mean_score is not None]),
        low_share_rises=_strictly_rising([c.low_share for c in classes if c.low_share is not None]),
        excluded={k: v for k, v in excluded.items() if v},
    )


def _strictly_rising(values: Sequence[float]) -> bool:
    """Whether each value is above the one before (empty classes already dropped); two values at least."""
    return len(values) >= 2 and all(a < b for a, b in pairwise(values))


def lateness_ratings_from_files(orders_path: Path, reviews_path: Path) -> LatenessRatings:
    """Read both files and compute the figures. Raises OlistFormatError or ReviewsFormatError."""
    return lateness_ratings(read_orders(orders_path), read_reviews(reviews_path))


__all__ = [
    "LATENESS_CLASSES",
    "ClassFigures",
    "LatenessRatings",
    "OlistFormatError",
    "RatedDelivery",
    "Review",
    "ReviewsFormatError",
    "days_late",
    "lateness_class",
    "lateness_ratings",
    "lateness_ratings_from_files",
    "read_reviews",
]
