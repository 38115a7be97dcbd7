"""The email channel against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from ordertrack.notifications.channels import DeliveryFailed, RenderedEmail, SmtpConfig, send_email
from tests.support import free_port

JSON_LD = (
    '<script type="application/ld+json">{"@context": "http://schema.org", "@type": "ParcelDelivery", '
    '"trackingNumber": "1Z999AA10123456784", '
    '"partOfOrder": {"@type": "Order", "orderNumber": "1042"}}</script>'
)
SENT_AT = datetime(2026, 3, 9, 14, 30, tzinfo=UTC)


@dataclass
class Relay:
    """An SMTP handler that keeps what it accepted and answers from a script first."""

    data_replies: list[str] = field(default_factory=list)
    rcpt_replies: list[str] = field(default_factory=list)
    received: list[Envelope] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.data_replies:
            return self.data_replies.pop(0)
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        # handled=False: aiosmtpd then answers "535 5.7.8" itself instead of staying silent.
        return AuthResult(success=data.password == b"s3cret:@pass", handled=False)


@dataclass
class Smtp:
    relay: Relay
    config: SmtpConfig


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    relay = Relay()
    port = free_port()
    controller = Controller(
        relay,
        hostname="127.0.0.1",
        port=port,
        authenticator=relay.authenticate,
        auth_require_tls=False,  # the test relay has no certificate; production uses smtps/STARTTLS
    )
    controller.start()
    try:
        yield Smtp(
            relay,
            SmtpConfig.from_url(f"smtp://127.0.0.1:{port}?timeout=5", "Loja Azul <envios@loja.example>"),
        )
    finally:
        controller.stop()


def shipped_email() -> RenderedEmail:
    return RenderedEmail(
        subject="Seu pedido está a caminho",
        text="Olá Ana, seu pedido 1042 saiu para entrega: https://track.loja.example/t/abc",
        html=f"<html><body><p>Olá Ana, seu pedido <b>1042</b> está a caminho.</p>{JSON_LD}</body></html>",
        unsubscribe_url="https://track.loja.example/unsubscribe/tok123",
        unsubscribe_mailto="unsubscribe@loja.example?subject=tok123",
    )


def send(config: SmtpConfig, *, message_id: str = "outbox-42", to: str = "ana@cliente.example") -> str:
    return asyncio.run(send_email(config, to, shipped_email(), message_id=message_id, sent_at=SENT_AT))


def parsed(envelope: Envelope) -> EmailMessage:
    assert isinstance(envelope.content, bytes)
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_email_arrives_with_text_and_html_parts_and_unsubscribe_headers(smtp: Smtp) -> None:
    message_id = send(smtp.config)

    [envelope] = smtp.relay.received
    assert envelope.mail_from == "envios@loja.example"
    assert envelope.rcpt_tos == ["ana@cliente.example"]
    message = parsed(envelope)
    assert message["Subject"] == "Seu pedido está a caminho"
    assert message["Message-ID"] == message_id == "<outbox-42@loja.example>"
    assert message["List-Unsubscribe"] == (
        "<https://track.loja.example/unsubscribe/tok123>, <mailto:unsubscribe@loja.example?subject=tok123>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime == SENT_AT
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert "seu pedido 1042 saiu para entrega" in text.get_content()
    assert html.get_content_type() == "text/html"
    assert JSON_LD in html.get_content()
    assert "está a caminho" in html.get_content()


def test_raw_message_is_seven_bit_with_short_lines(smtp: Smtp) -> None:
    send(smtp.config)
    raw = smtp.relay.received[0].original_content
    assert isinstance(raw, bytes)
    assert raw.isascii()  # passes relays without 8BITMIME
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998  # RFC 5322 section 2.1.1


def test_retried_message_keeps_its_message_id(smtp: Smtp) -> None:
    first = send(smtp.config, message_id="0191f7c2-7b1e-7cc3-9a4b-1f0e2d3c4b5a")
    second = send(smtp.config, message_id="0191f7c2-7b1e-7cc3-9a4b-1f0e2d3c4b5a")
    assert first == second
    assert [parsed(e)["Message-ID"] for e in smtp.relay.received] == [first, second]


def test_merchant_name_shows_as_sender(smtp: Smtp) -> None:
    asyncio.run(
        send_email(
            smtp.config, "ana@cliente.example", shipped_email(), message_id="m1", sender_name="Loja Ação"
        )
    )
    sender = parsed(smtp.relay.received[0])["From"]
    assert sender.addresses[0].display_name == "Loja Ação"
    assert sender.addresses[0].addr_spec == "envios@loja.example"


def test_plain_http_unsubscribe_link_gets_no_one_click_header(smtp: Smtp) -> None:
    rendered = RenderedEmail("Pedido", "t", "<p>h</p>", "http://127.0.0.1:8000/unsubscribe/x")
    asyncio.run(send_email(smtp.config, "ana@cliente.example", rendered, message_id="m2"))
    message = parsed(smtp.relay.received[0])
    assert message["List-Unsubscribe"] == "<http://127.0.0.1:8000/unsubscribe/x>"
    assert message["List-Unsubscribe-Post"] is None  # RFC 8058 one-click requires HTTPS


def test_temporary_refusal_is_transient_and_the_next_attempt_goes_through(smtp: Smtp) -> None:
    smtp.relay.data_replies = ["451 4.3.0 Try again later"]
    with pytest.raises(DeliveryFailed) as failure:
        send(smtp.config)
    assert failure.value.transient
    assert failure.value.status == 451
    assert smtp.relay.received == []

    send(smtp.config)
    assert len(smtp.relay.received) == 1


def test_unknown_recipient_is_permanent(smtp: Smtp) -> None:
    smtp.relay.rcpt_replies = ["550 5.1.1 No such user"]
    with pytest.raises(DeliveryFailed) as failure:
        send(smtp.config)
    assert not failure.value.transient
    assert failure.value.status == 550


def test_rejected_body_is_permanent(smtp: Smtp) -> None:
    smtp.relay.data_replies = ["554 5.7.1 Message rejected as spam"]
    with pytest.raises(DeliveryFailed) as failure:
        send(smtp.config)
    assert not failure.value.transient


def test_refused_connection_is_transient() -> None:
    config = SmtpConfig.from_url(f"smtp://127.0.0.1:{free_port()}?timeout=5", "envios@loja.example")
    with pytest.raises(DeliveryFailed) as failure:
        send(config)
    assert failure.value.transient


def test_login_uses_credentials_from_the_url(smtp: Smtp) -> None:
    url = f"smtp://envios%40loja.example:s3cret%3A%40pass@127.0.0.1:{smtp.config.port}"
    send(SmtpConfig.from_url(url, "envios@loja.example"))
    assert smtp.relay.logins == [(b"envios@loja.example", b"s3cret:@pass")]
    assert len(smtp.relay.received) == 1


def test_wrong_password_is_a_transient_channel_fault(smtp: Smtp) -> None:
    url = f"smtp://envios:wrong@127.0.0.1:{smtp.config.port}?timeout=5"
    with pytest.raises(DeliveryFailed) as failure:
        send(SmtpConfig.from_url(url, "envios@loja.example"))
    assert failure.value.status == 535
    assert failure.value.transient  # the relay's credentials, not this message, are wrong
    assert smtp.relay.received == []


def test_malformed_recipient_is_permanent_without_contacting_the_relay(smtp: Smtp) -> None:
    with pytest.raises(DeliveryFailed) as failure:
        send(smtp.config, to="not an address")
    assert not failure.value.transient


def test_header_injection_in_recipient_is_refused(smtp: Smtp) -> None:
    with pytest.raises(DeliveryFailed):
        send(smtp.config, to="ana@cliente.example\r\nBcc: everyone@example.com")
    assert smtp.relay.received == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", dict(port=25, use_tls=False, starttls=False, username=None)),
        ("smtp://mail.example.com?starttls=1", dict(port=587, use_tls=False, starttls=True)),
        (
            "smtp://u:p@mail.example.com:2525?starttls=true",
            dict(port=2525, starttls=True, username="u", password="p"),
        ),
        ("smtps://u:p@mail.example.com", dict(port=465, use_tls=True, starttls=False)),
        ("SMTPS://mail.example.com:1465", dict(port=1465, use_tls=True)),
        ("smtp://a%40b.c:p%2Fw%40x@mail.example.com", dict(username="a@b.c", password="p/w@x")),
        ("smtp://mail.example.com?starttls=0&timeout=2.5", dict(starttls=False, timeout=2.5)),
    ],
)
def test_smtp_url_is_read(url: str, expected: dict[str, object]) -> None:
    config = SmtpConfig.from_url(url, "envios@loja.example")
    assert config.host == "mail.example.com"
    assert config.from_address == "envios@loja.example"
    for name, value in expected.items():
        assert getattr(config, name) == value, name


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.com",
        "smtp://",
        "smtps://mail.example.com?starttls=1",
        "smtp://mail.example.com?starttls=maybe",
        "smtp://mail.example.com:99999",
    ],
)
def test_bad_smtp_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        SmtpConfig.from_url(url, "envios@loja.example")


def test_password_is_not_in_the_config_repr() -> None:
    assert "hunter2" not in repr(SmtpConfig.from_url("smtps://u:hunter2@h", "a@b.example"))
