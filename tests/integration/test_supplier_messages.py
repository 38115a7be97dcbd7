"""What a supplier is told, on SQLite and PostgreSQL: the order with its link when it is sent (in
its language, once), again on request with a fresh link, and one reminder per promised date
that passed with nothing shipped."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from ordertrack.catalog import service as catalog
from ordertrack.catalog.schemas import ProductIn
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.kit.schema import AddressIn
from ordertrack.kit.signing import SigningKeys
from ordertrack.links import read_supplier_link_token
from ordertrack.notifications.composing import prepare_batch
from ordertrack.notifications.message import Channel
from ordertrack.notifications.model import Notification
from ordertrack.notifications.sending import Channels
from ordertrack.notifications.templates import render
from ordertrack.purchasing import declaring, supplier_messages
from ordertrack.suppliers import history
from ordertrack.suppliers import purchase_orders as pos
from ordertrack.suppliers import service as suppliers
from ordertrack.suppliers.inbound_schemas import InboundShipmentIn
from ordertrack.suppliers.schemas import (
    PurchaseOrderConfirmationIn,
    PurchaseOrderIn,
    PurchaseOrderLineIn,
    SupplierIn,
)
from tests.conftest import TEST_SECRET
from tests.integration.test_inventory import MUG, TENT, warehouse


def supplier_of(
    db: Database, merchant_id: str, *, country: str = "MX", email: str | None = "ventas@textiles.mx"
) -> str:
    warehouse(db, merchant_id, "EAST")
    with db.uow() as uow:
        for sku in (TENT, MUG):
            catalog.create_product(uow, merchant_id, ProductIn(sku=sku, name=sku))
        supplier = suppliers.create_supplier(
            uow,
            merchant_id,
            SupplierIn(
                name="Textiles del Norte",
                email=email,
                address=AddressIn(line1="Av. Juárez 100", city="Monterrey", country=country),
                timezone="America/Monterrey",
            ),
        )
        uow.commit()
        return supplier.id


def sent_po(db: Database, merchant_id: str, supplier_id: str, *, ship_in_days: int = 3) -> str:
    ship = (utcnow() + timedelta(days=ship_in_days)).date()
    with db.uow() as uow:
        po = pos.create_purchase_order(
            uow,
            merchant_id,
            PurchaseOrderIn(
                number="PO-55",
                supplier_id=supplier_id,
                warehouse="EAST",
                currency="USD",
                promised_ship_date=ship,
                lines=[
                    PurchaseOrderLineIn(sku=TENT, quantity=100, unit_cost="40"),
                    PurchaseOrderLineIn(sku=MUG, quantity=10, unit_cost="3"),
                ],
            ),
        )
        pos.send_purchase_order(uow, merchant_id, po.id, actor="staff:ann@shop.example")
        uow.commit()
        return po.id


def supplier_mail(db: Database, merchant_id: str, trigger: str) -> list[Notification]:
    with db.uow(write=False) as uow:
        return list(
            uow.session.scalars(
                select(Notification)
                .where(Notification.merchant_id == merchant_id, Notification.trigger == trigger)
                .order_by(Notification.created_at, Notification.id)
            )
        )


def test_sending_an_order_emails_the_supplier_its_link_in_its_language(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m, supplier_of(db, m))

    (mail,) = supplier_mail(db, m, "purchase_order_sent")

    assert (mail.channel, mail.recipient, mail.locale) == ("email", "ventas@textiles.mx", "es")
    channels = Channels(smtp=None, sms=None, public_url="https://shop.example", secret=TEST_SECRET)
    with db.uow(write=False) as uow:
        (prepared,) = prepare_batch(uow, [mail.id], channels)
    assert prepared.context is not None
    email = render(prepared.context, Channel.email, prepared.source)
    assert email.subject == "Pedido de compra PO-55 de Acme Outfitters"
    assert "100 × TENT-2P" in email.text and "10 × MUG-STEEL" in email.text
    token = re.search(r"https://shop\.example/supplier/(\S+)", email.text)
    assert token is not None
    assert read_supplier_link_token(SigningKeys(TEST_SECRET), token.group(1), now=utcnow()) == (m, po_id)


def test_a_supplier_without_an_email_gets_nothing_and_sending_again_says_why(
    db: Database, make_merchant
) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m, supplier_of(db, m, country="US", email=None))
    assert supplier_mail(db, m, "purchase_order_sent") == []
    with db.uow() as uow:
        try:
            supplier_messages.send_again(uow, m, po_id, actor="api key otk_abc")
        except supplier_messages.SupplierHasNoEmail as refused:
            assert refused.code == "supplier_has_no_email"
        else:
            raise AssertionError("sending again without an address must be refused")


def test_sending_again_writes_a_second_email_and_says_so_in_the_history(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m, supplier_of(db, m, country="US"))
    with db.uow() as uow:
        supplier_messages.send_again(uow, m, po_id, actor="staff:ann@shop.example")
        uow.commit()
    mails = supplier_mail(db, m, "purchase_order_sent")
    assert [mail.locale for mail in mails] == ["en", "en"]
    with db.uow(write=False) as uow:
        assert [(c.action, c.actor) for c in history.changes(uow, m, po_id)] == [
            ("created", "system"),
            ("sent", "staff:ann@shop.example"),
            ("resent", "staff:ann@shop.example"),
        ]


def test_a_passed_promise_without_a_shipment_is_reminded_once_per_date(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m, supplier_of(db, m), ship_in_days=2)
    promised = (utcnow() + timedelta(days=2)).date()

    with db.uow() as uow:
        # Still the promised day where the supplier is: no reminder yet.
        assert supplier_messages.remind_suppliers(uow, utcnow() + timedelta(days=2, hours=-12)) == 0
        # Time passes: the promise is two days old.
        assert supplier_messages.remind_suppliers(uow, utcnow() + timedelta(days=4)) == 1
        uow.commit()
    with db.uow() as uow:
        assert supplier_messages.remind_suppliers(uow, utcnow() + timedelta(days=4, hours=1)) == 0
        uow.commit()
    (reminder,) = supplier_mail(db, m, "supplier_reminder")
    assert (reminder.recipient, reminder.facts["promised_ship_date"]) == (
        "ventas@textiles.mx",
        promised.isoformat(),
    )
    with db.uow(write=False) as uow:
        assert [(c.action, c.actor) for c in history.changes(uow, m, po_id)][-1] == (
            "supplier_reminded",
            "system",
        )


def test_a_new_promise_is_reminded_again_once_it_passes(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m, supplier_of(db, m), ship_in_days=2)
    with db.uow() as uow:
        # The promised day went by (as if days had passed since the order was sent).
        po = pos.find_purchase_order(uow, m, po_id)
        po.promised_ship_date = (utcnow() - timedelta(days=2)).date()
        uow.commit()
    with db.uow() as uow:
        assert supplier_messages.remind_suppliers(uow, utcnow()) == 1
        uow.commit()
    new_date = (utcnow() + timedelta(days=3)).date()
    with db.uow() as uow:
        pos.confirm_purchase_order(
            uow, m, po_id, PurchaseOrderConfirmationIn(promised_ship_date=new_date), actor="supplier link"
        )
        uow.commit()
    with db.uow() as uow:
        assert supplier_messages.remind_suppliers(uow, utcnow() + timedelta(days=1)) == 0
        assert supplier_messages.remind_suppliers(uow, utcnow() + timedelta(days=5)) == 1
        uow.commit()
    assert len(supplier_mail(db, m, "supplier_reminder")) == 2


def test_an_order_with_a_shipment_declared_is_not_reminded(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m, supplier_of(db, m), ship_in_days=1)
    with db.uow() as uow:
        declaring.declare_inbound_shipment(
            uow,
            m,
            po_id,
            InboundShipmentIn.model_validate({"lines": [{"line_no": 1, "quantity": 10}]}),
            actor="supplier link",
        )
        uow.commit()
    with db.uow() as uow:
        assert supplier_messages.remind_suppliers(uow, utcnow() + timedelta(days=5)) == 0
