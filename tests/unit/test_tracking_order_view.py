"""The shopper's page shows the whole order, the store's contact, readable times and places,
carrier words under a line in the shopper's language, and finished orders that look finished
(the view model and its words; pure, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ordertrack.merchants.contact import (
    InvalidStoreContact,
    StoreContact,
    normalise_email,
    normalise_help_url,
    normalise_phone,
)
from ordertrack.web import pages
from ordertrack.web.track import readable
from ordertrack.web.track.readable import ShownPlace, place_words, scan_clock, short_zone
from ordertrack.web.track.view import (
    DeliveryCard,
    ItemFacts,
    LineFacts,
    OrderCard,
    ParcelCard,
    ScanFacts,
    ShipmentCard,
    StoreFacts,
    TrackingPage,
    build_page,
)
from ordertrack.web.track.words import HANDED_OVER, PARCEL_WORDS

LOUISVILLE = ZoneInfo("America/Kentucky/Louisville")
CONTACT = StoreContact(email="help@acme.example", phone="+15025550142", help_url="https://acme.example/help")
STORE = StoreFacts("mer_x", "Acme", None, CONTACT)
PROMISE = DeliveryCard(date(2026, 12, 10), date(2026, 12, 12))
TENT = LineFacts("Tent", "TENT", 2, Decimal("199.00"))
MUG = LineFacts("Mug", "MUG", 1, Decimal("12.50"))


def _scan(status: str, hours: int = 0, **where: object) -> ScanFacts:
    at = datetime(2026, 12, 7, 9, 31, tzinfo=UTC) + timedelta(hours=hours)
    return ScanFacts(
        occurred_at=at, local_time=at.astimezone(LOUISVILLE), zone=LOUISVILLE.key, status=status, **where
    )  # type: ignore[arg-type]


def _shipment(
    status: str, scans: list[ScanFacts], *, reason: str | None = None, **extra: object
) -> ShipmentCard:
    parcel = ParcelCard("1ZTEST", "ups", status, reason, scans)
    return ShipmentCard("ups", status, reason, [parcel], [ItemFacts("Tent", "TENT", 2)], **extra)  # type: ignore[arg-type]


def _page(
    status: str,
    shipments: list[ShipmentCard] = (),  # type: ignore[assignment]
    lines: tuple[LineFacts, ...] = (TENT, MUG),
    estimate: DeliveryCard | None = PROMISE,
    **order: object,
) -> TrackingPage:
    card = OrderCard(
        "1001",
        status,
        datetime(2026, 12, 1, tzinfo=UTC),
        "Austin",
        "US",
        None,
        region="TX",
        currency="USD",
        lines=lines,
        **order,  # type: ignore[arg-type]
    )
    return build_page(
        store=STORE,
        order=card,
        shipments=shipments,
        carrier_names={"ups": "UPS"},
        estimated_delivery=estimate,
    )


# --- the whole order ---------------------------------------------------------------------------


def test_a_pending_order_lists_every_line_still_to_come_by_its_promise_and_its_total() -> None:
    page = _page("pending")
    assert page.summary is not None
    assert [(line.name, line.quantity, line.to_come) for line in page.summary.lines] == [
        ("Tent", 2, 2),
        ("Mug", 1, 1),
    ]
    assert page.summary.to_come_by == PROMISE
    assert page.summary.total == Decimal("410.50") and page.summary.currency == "USD"


def test_a_partly_shipped_order_says_what_shipped_and_what_is_still_to_come() -> None:
    shipped_tent = replace_line(TENT, shipped=2)
    page = _page(
        "partially_shipped", [_shipment("in_transit", [_scan("in_transit")])], lines=(shipped_tent, MUG)
    )
    assert page.summary is not None
    tent, mug = page.summary.lines
    assert (tent.on_the_way, tent.to_come) == (2, 0)
    assert (mug.on_the_way, mug.to_come) == (0, 1)
    assert page.summary.to_come == 1 and page.summary.to_come_by == PROMISE


def test_units_delivered_and_returned_are_told_apart_from_those_on_the_way() -> None:
    line = LineFacts("Sock", "SOCK", 5, Decimal("3"), shipped=4, delivered=2, returned=1)
    (view,) = _page("partially_delivered", lines=(line,)).summary.lines  # type: ignore[union-attr]
    assert (view.delivered, view.returned, view.on_the_way, view.to_come) == (2, 1, 1, 1)


def test_nothing_is_still_to_come_on_a_cancelled_order() -> None:
    page = _page("cancelled")
    assert page.summary is not None
    assert all(line.cancelled and line.to_come == 0 for line in page.summary.lines)
    assert page.summary.to_come_by is None


def test_lines_waiting_for_stock_say_so_with_the_day_they_should_ship() -> None:
    waiting = replace_line(TENT, waiting_for_stock=2, ships_on=date(2026, 12, 22))
    no_date = replace_line(MUG, waiting_for_stock=1)
    page = _page("processing", lines=(waiting, no_date))
    tent, mug = page.summary.lines  # type: ignore[union-attr]
    assert (tent.to_come, tent.waiting_for_stock, tent.ships_on) == (2, 2, date(2026, 12, 22))
    assert (mug.waiting_for_stock, mug.ships_on) == (1, None)
    html = _render(page, "en")
    assert "2 waiting for stock, expected to ship on Dec 22, 2026" in html
    assert "1 waiting for stock<" in html
    spanish = _render(page, "es")
    assert "2 a la espera de stock, envío previsto el 22 dic 2026" in spanish
    # A cancelled order waits for nothing.
    cancelled = _page("cancelled", lines=(waiting,)).summary.lines[0]  # type: ignore[union-attr]
    assert (cancelled.waiting_for_stock, cancelled.ships_on) == (0, None)


def test_the_order_total_is_written_in_the_orders_currency_for_the_shoppers_language() -> None:
    helpers = readable.page_helpers("es", "ES")
    assert helpers["money"](Decimal("410.5"), "EUR") == "410,50\xa0€"
    assert readable.page_helpers("en", "US")["money"](Decimal("1000"), "JPY") == "¥1,000"


# --- a finished order looks finished -----------------------------------------------------------


def test_a_cancelled_order_ends_at_cancelled_not_at_ordered_and_shows_no_estimate() -> None:
    page = _page("cancelled")
    assert [(s.key, s.state) for s in page.steps] == [("ordered", "done"), ("cancelled", "ended")]
    assert [s.key for s in page.steps if s.current] == ["cancelled"]
    assert page.estimated_delivery is None
    assert page.needs_contact


def test_a_returned_order_ends_at_returned_after_shipped() -> None:
    page = _page("returned", [_shipment("returned", [_scan("returned")])])
    assert [s.key for s in page.steps] == ["ordered", "processing", "shipped", "returned"]
    assert [s.key for s in page.steps if s.current] == ["returned"]
    assert page.estimated_delivery is None and not page.show_rating


def test_a_delivered_order_has_every_step_done_its_delivery_day_and_no_estimate_window() -> None:
    late_evening = _scan("delivered", hours=16)  # 01:31 UTC on Dec 8, still Dec 7 in Louisville
    page = _page("delivered", [_shipment("delivered", [_scan("in_transit"), late_evening])])
    assert all(step.state == "done" for step in page.steps)
    assert [s.key for s in page.steps if s.current] == ["delivered"]
    assert page.delivered_on == date(2026, 12, 7)
    assert page.estimated_delivery is None


def test_only_a_delivered_order_offers_the_rating_hook() -> None:
    assert _page("delivered", [_shipment("delivered", [_scan("delivered")])]).show_rating
    for status in ("pending", "shipped", "cancelled", "returned", "partially_delivered"):
        assert not _page(status).show_rating, status


def test_after_hand_over_the_page_stops_saying_the_store_is_preparing_the_parcel() -> None:
    waiting = _page("shipped", [_shipment("pending", [])])
    handed = _page("shipped", [_shipment("pending", [], handed_over=True)])
    assert waiting.shipments[0].words == PARCEL_WORDS["pending"]
    assert handed.shipments[0].words == HANDED_OVER
    labelled = _page("shipped", [_shipment("info_received", [_scan("info_received")], handed_over=True)])
    assert labelled.shipments[0].words == HANDED_OVER


# --- the store's contact -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason", "asks"),
    [
        ("exception", "address_issue", True),
        ("failed_attempt", "recipient_unavailable", True),
        ("exception", None, True),
        ("returned", None, True),
        ("exception", "customs_hold", True),
        ("in_transit", None, False),
        ("out_for_delivery", None, False),
    ],
)
def test_the_store_contact_is_offered_where_the_page_asks_the_shopper_to_contact_the_store(
    status: str, reason: str | None, asks: bool
) -> None:
    page = _page("shipped", [_shipment(status, [_scan(status, reason=reason)], reason=reason)])
    assert page.needs_contact is asks
    assert page.contact == CONTACT


def test_the_store_contact_is_checked_and_kept_in_one_form() -> None:
    assert normalise_email(" Help@Acme.EXAMPLE ") == "Help@acme.example"
    assert normalise_phone("+1 (502) 555-0142") == "+15025550142"
    assert normalise_help_url("https://acme.example/help?lang=en") == "https://acme.example/help?lang=en"
    assert normalise_email("") is None and normalise_phone("  ") is None and normalise_help_url("") is None
    assert CONTACT.phone_display == "+1 502-555-0142"


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (normalise_email, "not an email"),
        (normalise_email, "a@b"),
        (normalise_email, "Acme <help@acme.example>"),
        (normalise_phone, "502-555-0142"),  # no country code
        (normalise_phone, "+1 555"),
        (normalise_help_url, "http://acme.example/help"),
        (normalise_help_url, "javascript:alert(1)"),
        (normalise_help_url, "https://user:pw@acme.example/"),
        (normalise_help_url, "https://acme.example:port/"),
        (normalise_help_url, "https://localhost/"),
    ],
)
def test_a_bad_store_contact_is_refused_with_a_clear_422(check, value: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidStoreContact) as refused:
        check(value)
    assert refused.value.status_code == 422 and refused.value.code == "invalid_store_contact"


# --- times and places people read --------------------------------------------------------------


def test_a_scan_time_is_the_local_clock_with_a_short_zone_name_not_the_iana_name() -> None:
    moment = datetime(2026, 12, 7, 9, 31, tzinfo=UTC)
    assert scan_clock(moment.astimezone(LOUISVILLE), "en", LOUISVILLE.key) == "Mon, Dec 7, 4:31\u202fAM EST"
    # The stored fixed offset is read on the clock of the scan's zone.
    fixed = moment.astimezone(timezone(timedelta(hours=-5)))
    assert scan_clock(fixed, "en", "America/Kentucky/Louisville").endswith("EST")
    assert "4:31" in scan_clock(fixed, "es", LOUISVILLE.key) and "lun" in scan_clock(fixed, "es")


def test_a_zone_without_a_real_abbreviation_shows_its_offset() -> None:
    moment = datetime(2026, 12, 7, 9, 31, tzinfo=UTC)
    assert short_zone(moment, "America/Sao_Paulo") == "UTC\u22123"
    assert short_zone(moment.astimezone(timezone(timedelta(hours=5, minutes=30)))) == "UTC+5:30"
    assert short_zone(moment, "Europe/Berlin") == "CET"
    assert short_zone(moment) == "UTC"


def test_us_and_canadian_places_read_city_then_state_and_other_countries_are_named() -> None:
    louisville = ShownPlace("Louisville", "KY", "US")
    calgary = ShownPlace("Calgary", "AB", "CA")
    leipzig = ShownPlace("Leipzig", "SN", "DE", "04109")
    assert place_words(louisville, "en", "US") == "Louisville KY"
    assert place_words(calgary, "en", "US") == "Calgary AB, Canada"
    assert place_words(leipzig, "es", "US") == "Leipzig, Alemania"
    assert place_words(leipzig, "pt_BR", "DE") == "Leipzig"
    assert place_words(ShownPlace(None, None, "FR"), "en", "US") == "France"
    assert place_words(ShownPlace(postal_code="04109", country="DE"), "en", "DE") == "04109"


def test_the_destination_always_names_its_country() -> None:
    page = _page("shipped")
    assert place_words(page.destination_place, "en", None) == "Austin TX, United States"
    assert place_words(page.destination_place, "pt_BR", None) == "Austin TX, Estados Unidos"


def test_the_limited_view_names_countries_other_than_the_parcels_latest() -> None:
    scans = [
        _scan("in_transit", country="DE", city="Leipzig"),
        _scan("in_transit", 5, country="US", city="Austin"),
    ]
    page = build_page(store=STORE, order=None, shipments=[_shipment("in_transit", scans)], carrier_names={})
    assert page.home_country == "US" and page.summary is None


# --- carrier words under the shopper's language ------------------------------------------------


def test_each_scan_has_a_line_in_the_shoppers_words_and_keeps_the_carriers_own() -> None:
    scan = _scan(
        "failed_attempt", reason="recipient_unavailable", description="NO ONE AVAILABLE - NOTICE LEFT"
    )
    page = _page("shipped", [_shipment("failed_attempt", [scan], reason="recipient_unavailable")])
    (view,) = page.shipments[0].parcels[0].scans
    assert (view.line, view.reason_line) == ("Delivery attempted", "Nobody was there")
    assert view.text == "NO ONE AVAILABLE - NOTICE LEFT"


def test_the_spanish_page_shows_the_status_line_first_and_the_carriers_words_beneath() -> None:
    scan = _scan(
        "exception",
        reason="address_issue",
        description="ADDRESS INFORMATION REQUIRED",
        city="Louisville",
        region="KY",
        country="US",
    )
    page = _page("shipped", [_shipment("exception", [scan], reason="address_issue")])
    html = _render(page, "es")
    scans = html.index('<ol class="scans"')
    line = html.index("Problema en la entrega · Problema con la dirección", scans)
    carrier = html.index("ADDRESS INFORMATION REQUIRED", scans)
    assert line < carrier
    assert (
        "Louisville KY" in html
        and "EST" in html
        and "America/Kentucky/Louisville (EST)" not in html.split("title=")[0]
    )


def _render(page: TrackingPage, locale: str) -> str:
    return (
        pages.environment(locale)
        .get_template("track/fragment.html")
        .render(
            page=page,
            store=page.store,
            local_date=lambda v, f="full": pages.local_date(v, locale, f),
            **readable.page_helpers(locale, page.home_country),
        )
    )


def test_the_page_renders_lines_total_contact_links_and_no_estimate_when_cancelled() -> None:
    html = _render(_page("cancelled"), "en")
    assert "Estimated delivery" not in html and "Nothing has been shipped yet" not in html
    assert "$410.50" in html and "Cancelled" in html
    assert 'href="mailto:help@acme.example?subject=Order%201001"' in html
    assert 'href="tel:+15025550142"' in html and 'href="https://acme.example/help"' in html


def test_the_rating_hook_is_rendered_only_on_a_delivered_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from jinja2 import ChoiceLoader, DictLoader

    pages.environment.cache_clear()
    try:
        env = pages.environment("en")
        monkeypatch.setattr(
            env,
            "loader",
            ChoiceLoader([DictLoader({"track/_rate_delivery.html": "<p id=rate>RATE HERE</p>"}), env.loader]),
        )
        delivered = _page("delivered", [_shipment("delivered", [_scan("delivered")])])
        assert "RATE HERE" in _render(delivered, "en")
        assert "RATE HERE" not in _render(
            _page("shipped", [_shipment("in_transit", [_scan("in_transit")])]), "en"
        )
    finally:
        pages.environment.cache_clear()
    assert "RATE HERE" not in _render(delivered, "en")  # the shipped hook is empty


def replace_line(line: LineFacts, **changes: int) -> LineFacts:
    from dataclasses import replace

    return replace(line, **changes)
