"""The dashboard's posted forms and uploads (Starlette's form reading) and its amounts (babel)."""

from __future__ import annotations

import base64
import contextlib
import re
from collections.abc import Iterator

import httpx

from ordertrack.db.uow import Database
from ordertrack.merchants import service as merchants_service
from ordertrack.orders import service as orders_service
from ordertrack.orders.schemas import OrderIn
from tests.integration.scenario import order_payload
from tests.integration.test_staff import PASSWORD, make_staff
from tests.support import LiveServer

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@contextlib.contextmanager
def signed_in(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as http:
        form = http.get("/dashboard/login")
        answer = http.post(
            "/dashboard/login",
            data={"email": "pat@example.com", "password": PASSWORD, "csrf_token": _csrf(form.text)},
        )
        assert answer.status_code == 303, answer.text
        yield http


def _logo(db: Database, merchant_id: str) -> str | None:
    with db.uow(write=False) as uow:
        return merchants_service.branding(uow, merchant_id).logo_data_uri


def test_a_logo_uploaded_with_the_branding_form_is_kept(
    server: LiveServer, db: Database, make_merchant
) -> None:
    merchant = make_merchant("Acme")
    make_staff(db, merchant.merchant_id)
    with signed_in(server) as http:
        token = _csrf(http.get("/dashboard/settings").text)
        answer = http.post(
            "/dashboard/settings/branding",
            data={"csrf_token": token, "display_name": "Acme Outdoor"},
            files={"logo": ("logo.png", PNG, "image/png")},
        )
    assert answer.status_code == 303, answer.text
    assert _logo(db, merchant.merchant_id) == "data:image/png;base64," + base64.b64encode(PNG).decode()


def test_an_upload_without_the_csrf_token_is_refused_and_changes_nothing(
    server: LiveServer, db: Database, make_merchant
) -> None:
    merchant = make_merchant("Acme")
    make_staff(db, merchant.merchant_id)
    with signed_in(server) as http:
        answer = http.post(
            "/dashboard/settings/branding",
            data={"csrf_token": "forged"},
            files={"logo": ("logo.png", PNG, "image/png")},
        )
    assert answer.status_code == 403 and "This form has expired" in answer.text
    assert _logo(db, merchant.merchant_id) is None


def test_an_upload_the_branding_refuses_answers_the_form_again_with_the_reason(
    server: LiveServer, db: Database, make_merchant
) -> None:
    merchant = make_merchant("Acme")
    make_staff(db, merchant.merchant_id)
    with signed_in(server) as http:
        token = _csrf(http.get("/dashboard/settings").text)
        answer = http.post(
            "/dashboard/settings/branding",
            data={"csrf_token": token},
            files={"logo": ("orders.csv", b"number,sku\n1001,TENT-2P\n", "text/csv")},
        )
    assert 400 <= answer.status_code < 500 and "text/html" in answer.headers["content-type"]
    assert _logo(db, merchant.merchant_id) is None


def test_a_malformed_multipart_post_is_a_400_page(server: LiveServer, db: Database, make_merchant) -> None:
    make_staff(db, make_merchant("Acme").merchant_id)
    with signed_in(server) as http:
        answer = http.post(
            "/dashboard/settings/branding",
            content=b"--nope",
            headers={"content-type": "multipart/form-data; boundary=XyZ"},
        )
    assert answer.status_code == 400 and "the form could not be read" in answer.text


def _order(db: Database, merchant_id: str, number: str, currency: str, prices: tuple[str, str]) -> str:
    payload = order_payload(number, currency=currency)
    for line, price in zip(payload["lines"], prices, strict=True):
        line["unit_price"] = price
    with db.uow() as uow:
        order = orders_service.place_order(uow, merchant_id, OrderIn.model_validate(payload))
        uow.commit()
        return order.id


def test_the_order_page_writes_amounts_in_their_currency_for_the_reader(
    server: LiveServer, db: Database, make_merchant
) -> None:
    merchant = make_merchant("Acme")
    make_staff(db, merchant.merchant_id)
    yen = _order(db, merchant.merchant_id, "1001", "JPY", ("29800", "1500"))
    euro = _order(db, merchant.merchant_id, "1002", "EUR", ("199.00", "12.50"))
    with signed_in(server) as http:
        yen_page = http.get(f"/dashboard/orders/{yen}").text
        euro_page = http.get(f"/dashboard/orders/{euro}?lang=es").text
    assert "¥61,100" in yen_page and "¥29,800" in yen_page and "29800.00" not in yen_page
    assert "410,50\xa0€" in euro_page and "199,00\xa0€" in euro_page
