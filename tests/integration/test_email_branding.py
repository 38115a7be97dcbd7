"""The merchant's brand in the email that reaches the relay: the logo at the top (an https
address, with the store's name as its alt text), a button whose text reads on the brand colour,
and a store name that ends with a full stop joined to sentences without a second one."""

from __future__ import annotations

import re
from email.message import Message

import pytest

from ordertrack.db.uow import Database
from ordertrack.kit.colours import contrast
from ordertrack.merchants import service as merchants_service
from tests.integration.scenario import place_order, ship
from tests.integration.test_notification_delivery import deliver, html_part

LOGO = "https://cdn.name-co.example/brand/logo.png"


def text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def _brand(db: Database, merchant: str, **changes: str) -> None:
    with db.uow() as uow:
        merchants_service.set_branding(
            uow,
            merchant,
            display_name=changes.get("display_name"),
            primary_colour=changes.get("primary_colour"),
            accent_colour=None,
            email_logo_url=changes.get("email_logo_url"),
        )
        uow.commit()


def _button(html: str) -> tuple[str, str]:
    found = re.search(r"background-color:(#[0-9a-f]{6});color:(#[0-9a-f]{6});text-decoration:none", html)
    assert found, "no button in the email"
    return found.group(1), found.group(2)


def test_yellow_brand_email_has_a_readable_button_the_logo_and_no_double_full_stop(
    db: Database, make_merchant, relay
) -> None:
    handler, port = relay
    merchant = make_merchant().merchant_id
    _brand(db, merchant, display_name="Name Co.", primary_colour="#FFD700", email_logo_url=LOGO)
    ship(db, merchant, place_order(db, merchant), "BRAND0001")
    assert deliver(db, port).sent == 1

    (message,) = handler.received
    html, text = html_part(message), text_part(message)
    background, ink = _button(html)
    assert background == "#ffd700"  # the brand's own yellow, with dark text on it
    assert contrast(background, ink) >= 4.5
    assert f'<img src="{LOGO}" alt="Name Co."' in html
    assert "Name Co.." not in html + text + message["Subject"]
    assert "Thank you for shopping with Name Co.\r\n" in text
    assert "Thank you for shopping with Name Co.</p>" in html


@pytest.mark.parametrize("colour", ["#1f4e79", "#ffffff", "#7fbf7f", "#ff8800", "#00ffff"])
def test_every_brand_colour_gives_a_button_that_reads_at_4_5_to_1(
    db: Database, make_merchant, relay, colour: str
) -> None:
    handler, port = relay
    merchant = make_merchant().merchant_id
    _brand(db, merchant, primary_colour=colour)
    ship(db, merchant, place_order(db, merchant), "BRAND0002")
    deliver(db, port)
    (message,) = handler.received
    html = html_part(message)
    assert contrast(*_button(html)) >= 4.5
    assert "<img" not in html  # no logo address: the store's name stands at the top instead


def test_an_email_logo_must_be_an_https_image_address(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    for bad in (
        "http://cdn.example/logo.png",
        "javascript:alert(1)",
        "https://cdn.example",
        "data:image/png;base64,AA",
    ):
        with pytest.raises(merchants_service.InvalidBranding):
            _brand(db, merchant, email_logo_url=bad)
    _brand(db, merchant, email_logo_url=LOGO)
    _brand(db, merchant, email_logo_url="")
    with db.uow(write=False) as uow:
        assert merchants_service.branding(uow, merchant).email_logo_url is None


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2279c5e0000000049454e44ae426082"
)


def test_an_uploaded_logo_is_served_for_emails_when_the_server_is_reached_over_https(
    db: Database, make_merchant, relay
) -> None:
    handler, port = relay
    merchant = make_merchant().merchant_id
    with db.uow() as uow:
        merchants_service.set_branding(
            uow,
            merchant,
            display_name="Acme",
            primary_colour=None,
            accent_colour=None,
            logo=("image/png", PNG),
        )
        uow.commit()
    ship(db, merchant, place_order(db, merchant), "BRAND0003")
    deliver(db, port)
    html = html_part(handler.received[0])
    found = re.search(
        r'<img src="(https://shop\.example/brand/(mer_\w+)/logo\?v=[0-9a-f]{12})" alt="Acme"', html
    )
    assert found and found.group(2) == merchant

    from fastapi.testclient import TestClient

    from ordertrack.api.app import create_app
    from ordertrack.config import Settings

    client = TestClient(create_app(Settings(database_url=str(db.url), secret_key="s"), db))
    served = client.get(f"/brand/{merchant}/logo", params={"v": "x"})
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert client.get("/brand/mer_00000000000000000000000000/logo").status_code == 404
    assert client.get("/brand/../logo").status_code == 404


def test_no_logo_is_offered_to_emails_from_a_server_without_https(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    with db.uow() as uow:
        brand = merchants_service.set_branding(
            uow, merchant, display_name=None, primary_colour=None, accent_colour=None, logo=("image/png", PNG)
        )
    assert brand.email_logo("http://127.0.0.1:8000", merchant) is None
    assert brand.email_logo("https://track.acme.example/", merchant).startswith(
        f"https://track.acme.example/brand/{merchant}/logo?v="
    )
