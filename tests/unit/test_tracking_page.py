"""The shopper's tracking page, pure parts: words, stepper, view model, map, JSON-LD,
lookup limits, email proof, brand colours and the completeness of the catalogs."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from ordertrack.kit.signing import SigningKeys
from ordertrack.web import pages
from ordertrack.web.track import proof, readable, theme
from ordertrack.web.track.jsonld import parcel_delivery, script_text
from ordertrack.web.track.ratelimit import LookupLimiter
from ordertrack.web.track.view import (
    DeliveryCard,
    ItemFacts,
    OrderCard,
    ParcelCard,
    ScanFacts,
    ShipmentCard,
    StoreFacts,
    build_page,
    order_step,
)
from ordertrack.web.track.words import parcel_words

WEB = Path(pages.__file__).parent
CHICAGO = timezone(timedelta(hours=-6))
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def scan(
    hour: int, status: str, city: str | None = None, lat: float | None = None, lon: float | None = None, **kw
) -> ScanFacts:
    at = datetime(2026, 11, 3, hour, tzinfo=UTC)
    return ScanFacts(
        occurred_at=at,
        local_time=at.astimezone(CHICAGO),
        zone="America/Chicago",
        status=status,
        city=city,
        country="US" if city else None,
        latitude=lat,
        longitude=lon,
        **kw,
    )


STORE = StoreFacts("mer_x", "Acme", None)


def page_for(
    order_status: str, parcel_status: str, reason: str | None = None, *, shopper: str | None = "Ann"
):
    parcel = ParcelCard(
        "1ZTEST",
        "ups",
        parcel_status,
        reason,
        [scan(8, "info_received", "Louisville", 38.2, -85.7), scan(14, "in_transit", "Dallas", 32.8, -96.8)],
        "https://carrier/1ZTEST",
    )
    shipment = ShipmentCard("ups", parcel_status, reason, [parcel], [ItemFacts("Tent", "TENT", 2)])
    order = OrderCard("1001", order_status, datetime(2026, 11, 1, tzinfo=UTC), "Austin", "US", shopper)
    return build_page(store=STORE, order=order, shipments=[shipment], carrier_names={"ups": "UPS"})


def test_an_address_problem_is_said_plainly_and_marked_as_bad() -> None:
    words = parcel_words("exception", "address_issue")
    assert words.sentence == "There's a problem with the delivery address. Contact the store."
    assert words.tone == "bad"
    assert parcel_words("exception", "some_new_reason").tone == "bad"  # unknown reason: the generic sentence
    assert parcel_words("failed_attempt", None).tone == "warn"
    assert parcel_words("in_transit", "address_issue").tone == "ok"  # a reason alone does not alarm


def test_the_stepper_stands_where_the_slowest_travelling_part_is() -> None:
    assert order_step("pending", []) == "ordered"
    assert order_step("processing", []) == "processing"
    assert order_step("shipped", ["in_transit", "out_for_delivery"]) == "shipped"
    assert order_step("shipped", ["out_for_delivery"]) == "out_for_delivery"
    assert order_step("partially_delivered", ["delivered", "out_for_delivery"]) == "out_for_delivery"
    assert order_step("shipped", ["info_received"]) == "shipped"  # never behind what the order says
    assert order_step("delivered", ["delivered"]) == "delivered"


def test_one_step_is_current_and_those_before_it_are_done() -> None:
    page = page_for("shipped", "out_for_delivery")
    assert [s.state for s in page.steps] == ["done", "done", "done", "current", "upcoming"]
    assert [s.key for s in page.steps if s.current] == ["out_for_delivery"]


def test_a_shipment_exception_raises_an_alert_above_the_order_headline() -> None:
    page = page_for("shipped", "exception", "address_issue")
    assert page.headline.sentence == "Your order is on its way."
    assert page.alert is not None and "delivery address" in page.alert.sentence


def test_scans_are_newest_first_with_local_time_and_zone() -> None:
    page = page_for("shipped", "in_transit")
    scans = page.shipments[0].parcels[0].scans
    assert [s.status for s in scans] == ["in_transit", "info_received"]
    assert scans[0].local_time.hour == 8 and scans[0].zone == "America/Chicago"
    assert scans[0].place == "Dallas, US"
    assert scans[1].fallback == "Label created"  # no description from the carrier


def test_the_limited_view_has_no_order_items_or_name() -> None:
    parcel = ParcelCard("1ZTEST", "ups", "in_transit", None, [scan(8, "in_transit", "Dallas", 32.8, -96.8)])
    page = build_page(
        store=STORE,
        order=None,
        shipments=[ShipmentCard("ups", "in_transit", None, [parcel], None)],
        carrier_names={},
    )
    assert page.limited and page.order_number is None and page.shopper_name is None
    assert page.shipments[0].items is None
    assert "partOfOrder" not in json.loads(page.shipments[0].parcels[0].jsonld)
    assert [s.key for s in page.steps if s.current] == ["shipped"]


def test_estimated_delivery_defaults_to_none_and_is_carried_when_known() -> None:
    assert page_for("shipped", "in_transit").estimated_delivery is None
    edd = DeliveryCard(date(2026, 11, 5), date(2026, 11, 6))
    parcel = ParcelCard("1Z", "ups", "in_transit", None, [])
    page = build_page(
        store=STORE,
        order=None,
        shipments=[ShipmentCard("ups", "in_transit", None, [parcel], None)],
        carrier_names={},
        estimated_delivery=edd,
    )
    assert page.estimated_delivery is edd and edd.is_range
    ld = json.loads(page.shipments[0].parcels[0].jsonld)
    assert (ld["expectedArrivalFrom"], ld["expectedArrivalUntil"]) == ("2026-11-05", "2026-11-06")


def test_the_estimate_section_renders_with_its_history() -> None:
    edd = DeliveryCard(date(2026, 11, 5), date(2026, 11, 5), history=())
    page = replace(page_for("shipped", "in_transit"), estimated_delivery=edd)
    html = (
        pages.environment("es")
        .get_template("track/fragment.html")
        .render(
            page=page,
            local_date=lambda v, f="full": pages.local_date(v, "es", f),
            **readable.page_helpers("es", page.home_country),
        )
    )
    assert "Entrega estimada" in html and "jueves, 5 de noviembre de 2026" in html


def test_json_ld_is_a_parcel_delivery_without_private_details() -> None:
    data = parcel_delivery(
        tracking_number="1Z",
        carrier_name="UPS",
        tracking_url="https://ups/1Z",
        order_number="1001",
        store_name="Acme",
        city="Austin",
        country="US",
        items=["Tent"],
        latest_status="In transit",
        latest_at=datetime(2026, 11, 3, tzinfo=UTC),
        latest_place="Dallas, US",
    )
    assert data["@type"] == "ParcelDelivery" and data["provider"]["name"] == "UPS"
    assert data["deliveryAddress"] == {
        "@type": "PostalAddress",
        "addressLocality": "Austin",
        "addressCountry": "US",
    }
    assert data["partOfOrder"]["orderNumber"] == "1001"
    assert data["deliveryStatus"]["location"]["name"] == "Dallas, US"


def test_json_ld_cannot_close_its_script_element() -> None:
    text = script_text({"name": "</script><script>alert(1)</script><!--"})
    assert "</" not in text and "<!--" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script><!--"


def test_the_limiter_allows_a_burst_then_refills_over_time() -> None:
    now = [0.0]
    limiter = LookupLimiter(per_minute=10, capacity=10, clock=lambda: now[0])
    assert all(limiter.take("1.2.3.4") for _ in range(10))
    assert not limiter.take("1.2.3.4")
    assert limiter.take("5.6.7.8")  # clients are counted apart
    assert limiter.retry_after("1.2.3.4") == 6
    now[0] += 6
    assert limiter.take("1.2.3.4") and not limiter.take("1.2.3.4")


def test_the_limiter_forgets_the_oldest_clients_beyond_its_cap() -> None:
    limiter = LookupLimiter(per_minute=1, capacity=1, max_clients=2, clock=lambda: 0.0)
    for client in ("a", "b", "c"):
        assert limiter.take(client)
    assert limiter.take("a")  # forgotten, so treated as new
    assert not limiter.take("c")


def test_email_proof_is_bound_to_the_order_the_secret_and_the_time() -> None:
    keys = SigningKeys("s3cret")
    cookie = proof.email_proof(keys, "ord_1", now=1000)
    assert proof.proves_email(keys, cookie, "ord_1", now=999 + proof.LIFETIME_SECONDS)
    assert not proof.proves_email(keys, cookie, "ord_1", now=1000 + proof.LIFETIME_SECONDS)
    assert not proof.proves_email(keys, cookie, "ord_2", now=1000)
    assert not proof.proves_email(SigningKeys("other"), cookie, "ord_1", now=1000)
    tampered = cookie[:-5] + ("x" if cookie[-5] != "x" else "y") + cookie[-4:]
    assert not proof.proves_email(keys, tampered, "ord_1", now=1000)
    assert not proof.proves_email(keys, "garbage", "ord_1", now=1000)
    assert not proof.proves_email(keys, None, "ord_1", now=1000)
    assert proof.proves_email(SigningKeys("new", previous=("s3cret",)), cookie, "ord_1", now=1000)


def test_the_sms_form_token_is_bound_to_its_proof_cookie_and_survives_a_key_rotation() -> None:
    keys = SigningKeys("s3cret")
    cookie = proof.email_proof(keys, "ord_1", now=1000)
    token = proof.form_token(keys, cookie)
    assert proof.form_token_matches(keys, cookie, token)
    assert proof.form_token_matches(SigningKeys("new", previous=("s3cret",)), cookie, token)
    assert not proof.form_token_matches(keys, proof.email_proof(keys, "ord_2", now=1000), token)
    assert not proof.form_token_matches(keys, cookie, None)


@pytest.mark.parametrize("brand", ["#ffd500", "#ffffff", "#1f4e79", "#00ff00", "#000000"])
def test_brand_colours_always_give_readable_text(brand: str) -> None:
    assert theme.contrast(theme.readable_on_white(brand), theme.WHITE) >= 4.5
    assert theme.contrast(brand, theme.text_on(brand)) >= 4.5
    css = theme.stylesheet(brand, brand)
    assert css.startswith(":root {") and "--brand-surface: " + brand in css


def test_a_bad_colour_falls_back_instead_of_reaching_the_stylesheet() -> None:
    assert "}" not in theme.stylesheet("red;}body{display:none", "#12345g").split("{", 1)[1][:-2]


def _message_ids() -> set[str]:
    found: set[str] = set()
    for path in sorted((WEB / "templates" / "track").glob("*.html")):
        with path.open("rb") as source:
            for _line, message, _c, _ctx in extract(
                babel_extract,
                source,
                keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
                options={"extensions": "jinja2.ext.i18n"},
            ):
                found.add(message if isinstance(message, str) else message[0])
    for path in sorted((WEB / "track").glob("*.py")):
        with path.open("rb") as source:
            for _line, message, _c, _ctx in extract("python", source, keywords={"N_": None, "_": None}):
                found.add(message if isinstance(message, str) else message[0])
    return found


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    return text if isinstance(text, tuple) else (text,)


def _singular(text: str | tuple[str, ...]) -> str:
    return _forms(text)[0]


@pytest.mark.parametrize("locale", ["pt_BR", "es"])
def test_every_string_of_the_tracking_page_is_translated(locale: str) -> None:
    wanted = _message_ids()
    assert len(wanted) > 50
    # Every catalog of the locale counts: they are merged at run time (web/i18n.py), and each
    # part of the page keeps its strings in its own file (track.po, track_order.po, ...).
    messages = []
    for path in sorted((WEB / "locale" / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as source:
            messages.extend(m for m in read_po(source, locale=locale) if m.id)
    translated = {_singular(m.id) for m in messages if all(_forms(m.string))}
    assert wanted - translated == set()
    for message in messages:
        for original, form in zip(_forms(message.id) * 2, _forms(message.string), strict=False):
            if "%(" in original:
                assert sorted(set(PLACEHOLDER.findall(original))) == sorted(set(PLACEHOLDER.findall(form))), (
                    message.id
                )
    with (WEB / "locale" / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        shared = {m.id: m.string for m in read_po(source, locale=locale) if m.id}
    assert shared["Skip to content"] and shared["Language"]
