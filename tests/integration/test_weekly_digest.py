"""The weekly digest to staff who asked (analytics.digest_sending): opted-out and disabled staff
get nothing; one email per staff member and week however many workers run the round; the email
says exactly what the pure digest says of the same facts; another merchant's facts never appear."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import select

from ordertrack.analytics import digest, digest_mail, digest_sending, rollup, store
from ordertrack.db.uow import Database
from ordertrack.inventory.model import Warehouse
from ordertrack.kit.ids import new_id
from ordertrack.links import unsubscribe_url
from ordertrack.merchants import service as merchants_service
from ordertrack.notifications import composing
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.model import Notification
from ordertrack.notifications.sending import Channels
from ordertrack.staff import service as staff_service
from tests.conftest import TEST_SECRET, Tenant
from tests.integration.test_dashboard_forms import _csrf, signed_in
from tests.integration.test_staff import make_staff
from tests.support import LiveServer
from tests.unit.test_analytics_digest import HAND, MONDAY

PUBLIC = "http://127.0.0.1:8615"
SECRET = "s" * 40
# Monday 7 Dec 2026 08:00 in Berlin (07:00 UTC): the week of 30 Nov is due there.
DUE = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def facts_of(merchant_id: str, mine: int) -> list:
    return [dataclasses.replace(fact, merchant_id=merchant_id) for fact in HAND if fact.merchant_id == mine]


def setup_merchant(db: Database, tenant: Tenant, facts: list, staff: dict[str, str]) -> None:
    """Cells of ``facts``, a Berlin warehouse, and staff: address -> asked | stopped | never | disabled."""
    with db.uow() as uow:
        store._apply(uow.session, store.with_coarse(rollup.build(facts)), DUE)
        uow.session.add(
            Warehouse(
                id=new_id("wh"),
                merchant_id=tenant.merchant_id,
                code="BER",
                name="Berlin",
                timezone="Europe/Berlin",
                cutoff_time="14:00",
                processing_days="1,2,3,4,5",
                created_at=DUE,
                country="DE",
            )
        )
        for address, state in staff.items():
            user = staff_service.create_staff(
                uow, tenant.merchant_id, email=address, name=address, password="a long password 1", now=DUE
            )
            if state in ("asked", "stopped", "disabled"):
                digest_sending.set_asked(uow, tenant.merchant_id, address, True, DUE)
            if state == "stopped":  # the email's unsubscribe link
                notifications_service.opt_out(uow, tenant.merchant_id, digest_sending.CHANNEL, address)
            if state == "disabled":
                uow.session.flush()
                staff_service.set_disabled(uow, tenant.merchant_id, user.id, True)
        uow.commit()


def queued(db: Database) -> list[Notification]:
    with db.uow(write=False) as uow:
        rows = uow.session.scalars(select(Notification).order_by(Notification.recipient)).all()
        uow.session.expunge_all()
        return list(rows)


def send_round(db: Database, now: datetime = DUE) -> int:
    return digest_sending.send_weekly_digests(db, now, public_url=PUBLIC, secret=SECRET)


class TestWeeklyDigest:
    def test_only_active_staff_who_asked_get_it_once_a_week(
        self, db: Database, make_merchant: Callable[[str], Tenant]
    ) -> None:
        shop = make_merchant("Alpha")
        setup_merchant(
            db,
            shop,
            facts_of(shop.merchant_id, 1),
            {
                "asked@a.example": "asked",
                "never@a.example": "never",
                "stopped@a.example": "stopped",
                "gone@a.example": "disabled",
                "also@a.example": "asked",
            },
        )
        assert send_round(db, datetime(2026, 12, 7, 5, 59, tzinfo=UTC)) == 0  # 06:59 in Berlin
        assert send_round(db, datetime(2026, 12, 8, 9, 0, tzinfo=UTC)) == 0  # a Tuesday
        assert send_round(db) == 2
        assert send_round(db) == 0  # a retry on the same Monday
        # Two workers at once: still one each.
        threads = [threading.Thread(target=send_round, args=(db, DUE.replace(hour=9))) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rows = queued(db)
        assert [(r.recipient, r.trigger, r.channel) for r in rows] == [
            ("also@a.example", "weekly_digest", "email"),
            ("asked@a.example", "weekly_digest", "email"),
        ]
        assert send_round(db, datetime(2026, 12, 14, 7, 0, tzinfo=UTC)) == 2  # the next Monday: next week's

    def test_the_email_says_what_the_pure_digest_says_and_never_another_merchants_facts(
        self, db: Database, make_merchant: Callable[[str], Tenant]
    ) -> None:
        alpha, beta = make_merchant("Alpha"), make_merchant("Beta")
        setup_merchant(db, alpha, facts_of(alpha.merchant_id, 1), {"a@a.example": "asked"})
        setup_merchant(db, beta, facts_of(beta.merchant_id, 2), {"b@b.example": "asked"})
        assert send_round(db) == 2
        rows = {r.recipient: r for r in queued(db)}
        for tenant, mine, address in ((alpha, 1, "a@a.example"), (beta, 2, "b@b.example")):
            expected = digest.digest(
                rollup.build(facts_of(tenant.merchant_id, mine)), tenant.merchant_id, MONDAY
            )
            with db.uow(write=False) as uow:
                name = merchants_service.branding(uow, tenant.merchant_id).display_name
            stop = unsubscribe_url(PUBLIC, SECRET, tenant.merchant_id, "digest", address)
            subject, text, html = digest_mail.compose(expected, name, PUBLIC, stop)
            facts = rows[address].facts
            assert (facts["subject"], facts["text"], facts["html"]) == (subject, text, html)
        alpha_text = rows["a@a.example"].facts["text"]
        assert "Shipments: 4 (▲ +3 against the mean)" in alpha_text
        assert "/dashboard/analytics?from=2026-11-30&to=2026-12-06" in alpha_text
        # Beta's one shipment of the week, 900 h in transit; none of Alpha's.
        beta_text = rows["b@b.example"].facts["text"]
        assert "Shipments: 1 " in beta_text and "Transit time p90: 900 h" in beta_text
        assert "Transit time p90: 900 h" not in alpha_text

    def test_the_outbox_sends_it_as_written(
        self, db: Database, make_merchant: Callable[[str], Tenant]
    ) -> None:
        shop = make_merchant("Alpha")
        setup_merchant(db, shop, facts_of(shop.merchant_id, 1), {"a@a.example": "asked"})
        send_round(db)
        [row] = queued(db)
        with db.uow(write=False) as uow:
            [prepared] = composing.prepare_batch(uow, [row.id], Channels(None, None, PUBLIC, SECRET))
        assert prepared.composed is not None
        assert prepared.composed.subject == row.facts["subject"]
        assert prepared.composed.html == row.facts["html"]
        assert prepared.composed.unsubscribe_url.startswith(f"{PUBLIC}/notifications/unsubscribe/")


def test_due_week_is_monday_morning_in_the_merchants_zone() -> None:
    assert digest_sending.due_week(DUE, "Europe/Berlin") == (date(2026, 11, 30), date(2026, 12, 6))
    assert digest_sending.due_week(DUE, "America/Sao_Paulo") is None  # 04:00 there
    assert (
        digest_sending.due_week(datetime(2026, 12, 7, 23, 30, tzinfo=UTC), "Europe/Berlin") is None
    )  # Tuesday


class TestDigestInTheDashboard:
    def test_preview_and_a_staff_members_own_choice(
        self, db: Database, server: LiveServer, make_merchant: Callable[[str], Tenant]
    ) -> None:
        alpha, beta = make_merchant("Alpha"), make_merchant("Beta")
        setup_merchant(db, alpha, facts_of(alpha.merchant_id, 1), {})
        setup_merchant(db, beta, facts_of(beta.merchant_id, 2), {"b@b.example": "never"})
        make_staff(db, alpha.merchant_id, role="staff")  # pat@example.com, not an owner
        with signed_in(server) as http:
            shown = http.get("/dashboard/digest", params={"week": "2026-12-02"})  # a Wednesday: its week
            assert shown.status_code == 200
            assert "Mon 30 Nov – Sun 6 Dec 2026" in shown.text
            assert '<td data-label="This week">4</td>' in shown.text  # Alpha's 4 shipments
            assert "900 h" not in shown.text  # Beta's shipment
            assert "Email me the weekly digest" in shown.text
            email = http.get("/dashboard/digest/email", params={"week": "2026-11-30"})
            assert email.status_code == 200
            assert "default-src 'none'" in email.headers["content-security-policy"]
            assert "/dashboard/analytics?from=2026-11-30&amp;to=2026-12-06" in email.text
            assert http.get("/dashboard/digest", params={"week": "30/11/2026"}).status_code == 400
            token = _csrf(shown.text)
            assert http.post("/dashboard/digest/subscription", data={"digest": "on"}).status_code == 403
            bad = http.post("/dashboard/digest/subscription", data={"digest": "yes", "csrf_token": token})
            assert bad.status_code == 400
            on = http.post("/dashboard/digest/subscription", data={"digest": "on", "csrf_token": token})
            assert on.status_code == 303
            assert "Stop the weekly digest" in http.get(on.headers["location"]).text
        with db.uow(write=False) as uow:
            assert digest_sending.recipients(uow, alpha.merchant_id) == ["pat@example.com"]
            assert digest_sending.recipients(uow, beta.merchant_id) == []
        # The email's unsubscribe link (signed with the server's key) says what it stops, and stops it.
        digest_sending.send_weekly_digests(db, DUE, public_url=server.base_url, secret=TEST_SECRET)
        [row] = queued(db)
        link = row.facts["unsubscribe_url"].removeprefix(server.base_url)
        with server.client() as http:
            assert "Stop receiving the weekly delivery digest" in http.get(link).text
            assert http.post(link).status_code == 200
        with db.uow(write=False) as uow:
            assert digest_sending.recipients(uow, alpha.merchant_id) == []
