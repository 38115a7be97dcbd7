"""Running the EDD engine over Olist order files: reading, predicting, and scoring against the truth."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import fmean
from typing import Literal
from zoneinfo import ZoneInfo

from ordertrack.eta.calendar import BusinessCalendar, calendar_for
from ordertrack.eta.engine import EddInputs, EddPolicy, Estimate, estimate, journey_start
from ordertrack.eta.learning import BAND_REFINEMENT, Lane, TransitHistory

Moment = Literal["approval", "handoff"]
MOMENTS: tuple[Moment, ...] = ("approval", "handoff")

REQUIRED_COLUMNS = (
    "order_id",
    "order_status",
    "order_purchase_timestamp",
    "order_approved_at",
    "order_delivered_carrier_date",
    "order_delivered_customer_date",
    "order_estimated_delivery_date",
)
# What happened to the order after the moment: the truth a backtest scores against. A file of orders
# to predict has not been delivered yet, so it may leave these columns out.
OUTCOME_COLUMNS = ("order_status", "order_delivered_customer_date")
# Olist's timestamps are naive local times of Sao Paulo; the marketplace is Brazilian throughout.
OLIST_TIMEZONE = "America/Sao_Paulo"
OLIST_COUNTRY = "BR"
# The promise's original lead time (calendar days from purchase to the promised day) is Olist's own
# notion of distance and service; bands of this width stand in for the unknown lane. Longer leads are
# rare and pooled. The lead is taken from the purchase at every moment: the lead left at hand-off
# would mix the distance with the seller's own delay, which the hand-off day already tells.
LEAD_BAND_DAYS = 3
LONGEST_LEAD_BAND = 45


class OlistFormatError(ValueError):
    """The file is not in the Olist orders format (missing columns, unreadable timestamps)."""


@dataclass(frozen=True)
class OlistOrder:
    """One row of an Olist orders file, times made aware in Sao Paulo."""

    order_id: str
    status: str
    purchased_at: datetime | None
    approved_at: datetime | None
    handed_off_at: datetime | None
    delivered_at: datetime | None
    promised_on: date | None

    def moment(self, at: Moment) -> datetime | None:
        return self.approved_at if at == "approval" else self.handed_off_at

    def without_truth(self) -> OlistOrder:
        """The row as a predictor may see it: no delivery, no final status."""
        return replace(self, delivered_at=None, status="unknown")


@dataclass(frozen=True)
class Prediction:
    """One order's estimate."""

    order_id: str
    estimate: Estimate


@dataclass
class PredictionRun:
    """The estimates made, and how many orders could not be estimated, by reason."""

    predictions: list[Prediction] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class WindowScore:
    """How a set of windows fared against the actual delivery days."""

    orders: int
    on_time_rate: float  # actual <= latest
    mean_padding_days: float  # latest - actual, calendar days; negative when late
    window_hit_rate: float  # earliest <= actual <= latest
    mean_width_days: float  # latest - earliest, calendar days (a one-day window has width 0)
    mean_absolute_error_days: float  # |most_likely - actual|, calendar days

    def as_dict(self) -> dict[str, float | int]:
        return {
            "orders": self.orders,
            "on_time_rate": round(self.on_time_rate, 4),
            "mean_padding_days": round(self.mean_padding_days, 2),
            "window_hit_rate": round(self.window_hit_rate, 4),
            "mean_width_days": round(self.mean_width_days, 2),
            "mean_absolute_error_days": round(self.mean_absolute_error_days, 2),
        }


@dataclass(frozen=True)
class BacktestReport:
    """The engine and the marketplace's promise scored on the same orders."""

    at: Moment
    engine: WindowScore
    promise: WindowScore
    skipped: dict[str, int]

    def as_dict(self) -> dict[str, object]:
        return {
            "at": self.at,
            "orders_evaluated": self.engine.orders,
            "engine": self.engine.as_dict(),
            "promise": self.promise.as_dict(),
            "skipped": self.skipped,
        }


def read_orders(path: Path, *, with_outcome: bool = True) -> list[OlistOrder]:
    """Every row of an Olist orders CSV; raises OlistFormatError for a file in another shape.

    Without `with_outcome` the status and delivery columns may be absent (orders still to deliver)."""
    required = (
        REQUIRED_COLUMNS if with_outcome else tuple(c for c in REQUIRED_COLUMNS if c not in OUTCOME_COLUMNS)
    )
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            raise OlistFormatError(f"{path}: missing column(s) {', '.join(missing)}")
        return [_order_from_row(row, path, line) for line, row in enumerate(reader, start=2)]


def _order_from_row(row: dict[str, str], path: Path, line: int) -> OlistOrder:
    try:
        promised = _timestamp(row["order_estimated_delivery_date"])
        return OlistOrder(
            order_id=row["order_id"],
            status=(row.get("order_status") or "").strip(),
            purchased_at=_timestamp(row["order_purchase_timestamp"]),
            approved_at=_timestamp(row["order_approved_at"]),
            handed_off_at=_timestamp(row["order_delivered_carrier_date"]),
            delivered_at=_timestamp(row.get("order_delivered_customer_date")),
            promised_on=promised.date() if promised else None,
        )
    except ValueError as error:
        raise OlistFormatError(f"{path}:{line}: {error}") from None


def _timestamp(text: str | None) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(OLIST_TIMEZONE))


def lead_band(promised_on: date | None, purchased: datetime) -> str | None:
    """The pseudo-lane of an order: the promise's lead time from the purchase, in bands."""
    if promised_on is None:
        return None
    lead = (promised_on - purchased.astimezone(ZoneInfo(OLIST_TIMEZONE)).date()).days
    if lead < 0:
        return "promise-passed"
    return f"promise+{min(lead, LONGEST_LEAD_BAND) // LEAD_BAND_DAYS * LEAD_BAND_DAYS}d"


def holiday_ahead(moment: datetime, promised_on: date, calendar: BusinessCalendar) -> bool:
    """Whether a public holiday falls on a weekday after the moment's day, up to the promised day."""
    day = moment.astimezone(ZoneInfo(OLIST_TIMEZONE)).date()
    while day < promised_on:
        day += timedelta(days=1)
        if day.isoweekday() <= 5 and calendar.is_holiday(day):
            return True
    return False


def pseudo_lane_band(order: OlistOrder, moment: datetime, calendar: BusinessCalendar) -> str | None:
    """The lead band, refined by whether a holiday lies between the moment and the promised day.

    Transit is learned in business days, but the promise counts calendar days: with a holiday ahead
    (Christmas, New Year, Carnival...) the same lead holds fewer working days, and carriers run
    backlogs around them. Measured on the validation split in docs/delivery-dates.md."""
    band = lead_band(order.promised_on, order.purchased_at or order.approved_at or moment)
    if band is None or order.promised_on is None:
        return band
    if order.promised_on <= moment.astimezone(ZoneInfo(OLIST_TIMEZONE)).date():
        return band
    ahead = "holiday-ahead" if holiday_ahead(moment, order.promised_on, calendar) else "no-holiday"
    return f"{band}{BAND_REFINEMENT}{ahead}"


def engine_inputs(order: OlistOrder, at: Moment) -> EddInputs | None:
    """What the engine may know about an order at the given moment (None when the moment is unknown)."""
    moment = order.moment(at)
    if moment is None or order.approved_at is None:
        return None
    brazil = brazilian_calendar()
    promise = (order.promised_on, order.promised_on) if order.promised_on else None
    return EddInputs(
        moment=moment,
        # The seller is asked to ship once payment is approved, so the order starts there.
        ordered_at=order.approved_at,
        dispatched_at=order.handed_off_at if at == "handoff" else None,
        origin=brazil,
        destination=brazil,
        destination_timezone=OLIST_TIMEZONE,
        warehouse_timezone=OLIST_TIMEZONE,
        lane=Lane(carrier="olist", band=pseudo_lane_band(order, moment, brazil)),
        carrier_estimate=promise,
    )


def brazilian_calendar() -> BusinessCalendar:
    return calendar_for(OLIST_COUNTRY)


def is_completed_delivery(order: OlistOrder) -> bool:
    return order.status == "delivered" and order.delivered_at is not None and order.approved_at is not None


def learn_history(
    orders: Iterable[OlistOrder], *, half_life_days: float, min_weight: float
) -> TransitHistory:
    """Both legs of every completed delivery, each filed under the band it would have been predicted in."""
    history = TransitHistory(half_life_days=half_life_days, min_weight=min_weight)
    calendar = brazilian_calendar()
    for order in orders:
        if not is_completed_delivery(order):
            continue
        assert order.delivered_at is not None
        delivered_on = order.delivered_at.date()
        for at in MOMENTS:
            inputs = engine_inputs(order, at)
            if inputs is None:
                continue
            start, leg = journey_start(inputs)
            transit = calendar.business_days_between(start, delivered_on)
            history.add(inputs.lane, order.delivered_at, transit, leg=leg)
    return history


@dataclass(frozen=True)
class EngineSettings:
    """The knobs measured in docs/delivery-dates.md."""

    policy: EddPolicy = EddPolicy(latest_quantile=0.95, carrier_weight=0.5)
    half_life_days: float = 45.0
    min_weight: float = 10.0


DEFAULT_SETTINGS = EngineSettings()
ProgressCallback = Callable[[int, int], None]


def predict(
    history: Sequence[OlistOrder],
    orders: Sequence[OlistOrder],
    at: Moment,
    *,
    settings: EngineSettings = DEFAULT_SETTINGS,
    progress: ProgressCallback | None = None,
) -> PredictionRun:
    """Estimates for `orders` at the given moment, each from history delivered strictly before it."""
    run = PredictionRun()
    run.skipped["history rows not delivered"] = sum(
        1 for order in history if not is_completed_delivery(order)
    )
    learned = learn_history(history, half_life_days=settings.half_life_days, min_weight=settings.min_weight)
    # Moments in time order let the history replay forward instead of restarting for each query.
    prepared: list[tuple[OlistOrder, EddInputs]] = []
    for order in orders:
        inputs = engine_inputs(order.without_truth(), at)
        if inputs is None:
            run.skipped[f"orders without {'approval' if at == 'approval' else 'carrier hand-off'}"] += 1
            continue
        prepared.append((order, inputs))
    prepared.sort(key=lambda pair: pair[1].moment)
    for done, (order, inputs) in enumerate(prepared, start=1):
        run.predictions.append(Prediction(order.order_id, estimate(inputs, learned, policy=settings.policy)))
        if progress is not None:
            progress(done, len(prepared))
    run.skipped = +run.skipped
    return run


def score(windows: Sequence[tuple[date, date, date]], actual: Sequence[date]) -> WindowScore:
    """Score (earliest, most_likely, latest) windows against the actual days."""
    if not windows:
        return WindowScore(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    pairs = list(zip(windows, actual, strict=True))
    return WindowScore(
        orders=len(pairs),
        on_time_rate=fmean(1.0 if day <= latest else 0.0 for (_, _, latest), day in pairs),
        mean_padding_days=fmean((latest - day).days for (_, _, latest), day in pairs),
        window_hit_rate=fmean(
            1.0 if earliest <= day <= latest else 0.0 for (earliest, _, latest), day in pairs
        ),
        mean_width_days=fmean((latest - earliest).days for (earliest, _, latest), _ in pairs),
        mean_absolute_error_days=fmean(abs((likely - day).days) for (_, likely, _), day in pairs),
    )


def backtest(
    history: Sequence[OlistOrder],
    orders: Sequence[OlistOrder],
    at: Moment,
    *,
    settings: EngineSettings = DEFAULT_SETTINGS,
    progress: ProgressCallback | None = None,
) -> BacktestReport:
    """Predict delivered orders with their truth hidden, then score the engine and the promise on them."""
    truth: dict[str, date] = {}
    promised: dict[str, date] = {}
    skipped: Counter[str] = Counter()
    evaluable: list[OlistOrder] = []
    for order in orders:
        if order.status != "delivered" or order.delivered_at is None:
            skipped["orders not delivered"] += 1
        elif order.promised_on is None:
            skipped["orders without a promise"] += 1
        else:
            truth[order.order_id] = order.delivered_at.date()
            promised[order.order_id] = order.promised_on
            # The predictor never receives the truth.
            evaluable.append(order.without_truth())
    run = predict(history, evaluable, at, settings=settings, progress=progress)
    skipped.update(run.skipped)
    predicted = run.predictions
    actual = [truth[p.order_id] for p in predicted]
    engine_windows = [(p.estimate.earliest, p.estimate.most_likely, p.estimate.latest) for p in predicted]
    promise_windows = [(promised[p.order_id],) * 3 for p in predicted]
    return BacktestReport(
        at=at,
        engine=score(engine_windows, actual),
        promise=score(promise_windows, actual),
        skipped=dict(skipped),
    )


def write_predictions(path: Path, predictions: Iterable[Prediction]) -> int:
    """Write order_id,earliest,latest,most_likely rows; returns how many."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "earliest", "latest", "most_likely"])
        for prediction in predictions:
            e = prediction.estimate
            writer.writerow(
                [prediction.order_id, e.earliest.isoformat(), e.latest.isoformat(), e.most_likely.isoformat()]
            )
            count += 1
    return count
