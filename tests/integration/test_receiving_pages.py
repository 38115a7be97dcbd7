"""The dashboard's receiving pages over HTTP: the count form's CSRF, a resent form counting once,
a refused photo answered with the form as typed, another merchant's shipment not found."""

from __future__ import annotations

import re

from ordertrack.db.uow import Database
from ordertrack.suppliers import purchase_orders as pos
from ordertrack.suppliers import receipts
from tests.integration.test_dashboard_forms import _csrf, signed_in
from tests.integration.test_inventory import MUG, TENT, levels
from tests.integration.test_receiving import declare, sent_po
from tests.integration.test_staff import make_staff
from tests.support import LiveServer


def _count_form(html: str) -> dict[str, str]:
    """The form's hidden fields and every count as the page filled it."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    fields |= dict(
        re.findall(
            r'<input id="[^"]+" name="((?:good|damaged)_[^"]+)" type="number"[^>]* value="([^"]*)"', html
        )
    )
    return fields


def _shop(db: Database, make_merchant) -> tuple[str, str]:
    merchant = make_merchant("Acme")
    make_staff(db, merchant.merchant_id)
    po_id = sent_po(db, merchant.merchant_id)
    return merchant.merchant_id, declare(db, merchant.merchant_id, po_id, {TENT: 40, MUG: 10})


def test_a_count_form_sent_twice_counts_once(server: LiveServer, db: Database, make_merchant) -> None:
    m, asn = _shop(db, make_merchant)
    with signed_in(server) as http:
        form = _count_form(http.get(f"/dashboard/receiving/{asn}").text)
        assert sum(name.startswith("good_") for name in form) == 2
        first = http.post(f"/dashboard/receiving/{asn}", data=form)
        again = http.post(f"/dashboard/receiving/{asn}", data=form)
    assert first.status_code == 200 and "Received: PO-7-1" in first.text
    assert again.status_code == 200 and "Already counted: PO-7-1" in again.text
    assert levels(db, m) == {("EAST", TENT): (40, 0), ("EAST", MUG): (10, 0)}


def test_a_count_without_the_csrf_token_is_refused_and_counts_nothing(
    server: LiveServer, db: Database, make_merchant
) -> None:
    m, asn = _shop(db, make_merchant)
    with signed_in(server) as http:
        form = _count_form(http.get(f"/dashboard/receiving/{asn}").text)
        answer = http.post(f"/dashboard/receiving/{asn}", data={**form, "csrf_token": "forged"})
    assert answer.status_code == 403 and "This form has expired" in answer.text
    assert levels(db, m) == {}


def test_a_refused_photo_answers_the_form_as_typed_and_saves_nothing(
    server: LiveServer, db: Database, make_merchant
) -> None:
    m, asn = _shop(db, make_merchant)
    with signed_in(server) as http:
        form = _count_form(http.get(f"/dashboard/receiving/{asn}").text)
        tent = next(name for name in form if name.startswith("good_") and form[name] == "40")
        line_id = tent.removeprefix("good_")
        answer = http.post(
            f"/dashboard/receiving/{asn}",
            data={**form, tent: "37", f"damaged_{line_id}": "3", f"note_{line_id}": "wet"},
            files={f"photo_{line_id}": ("wet.gif", b"GIF89a" + b"\x00" * 20, "image/gif")},
        )
    assert answer.status_code == 422
    assert "Nothing was saved" in answer.text and "JPEG, PNG or WebP" in answer.text
    assert 'value="37"' in answer.text and ">wet</textarea>" in answer.text
    assert levels(db, m) == {}


def test_another_merchants_shipment_is_not_found_on_the_dock(
    server: LiveServer, db: Database, make_merchant
) -> None:
    _m, own_asn = _shop(db, make_merchant)
    other = make_merchant("Other").merchant_id
    other_asn = declare(db, other, sent_po(db, other), {TENT: 5})
    with signed_in(server) as http:
        page = http.get(f"/dashboard/receiving/{other_asn}")
        scanned = http.get("/dashboard/receiving/find", params={"q": "PO-7-1"})
        assert _csrf(http.get("/dashboard/receiving").text)
    assert page.status_code == 404
    # The same number scanned opens this merchant's own PO-7-1, never the other's.
    assert (scanned.status_code, scanned.headers["location"]) == (303, f"/dashboard/receiving/{own_asn}")


def test_a_note_of_several_lines_is_kept_as_typed(server: LiveServer, db: Database, make_merchant) -> None:
    m, asn = _shop(db, make_merchant)
    with signed_in(server) as http:
        form = _count_form(http.get(f"/dashboard/receiving/{asn}").text)
        tent = next(name for name in form if name.startswith("good_") and form[name] == "40")
        line_id = tent.removeprefix("good_")
        answer = http.post(
            f"/dashboard/receiving/{asn}",
            data={
                **form,
                tent: "39",
                f"damaged_{line_id}": "1",
                f"note_{line_id}": "Box 3 wet\r\nBox 4 torn",
            },
        )
    assert answer.status_code == 200, answer.text
    with db.uow(write=False) as uow:
        (found,) = receipts.discrepancies(uow, m, pos.find_purchase_order(uow, m, "PO-7"))
    assert found.notes == ["Box 3 wet\nBox 4 torn"]
