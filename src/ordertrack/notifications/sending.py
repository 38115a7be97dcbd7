"""Sending one prepared message through its channel: email, SMS or a merchant webhook.

No database here: :func:`send` gets a message already read and checked
(:mod:`ordertrack.notifications.composing`) and says how it went as an :class:`Outcome`, which
the delivery round records. A channel nobody configured is not a failure of the message: it
waits, uncounted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from ordertrack.config import Settings
from ordertrack.kit.outgoing import OutgoingPolicy
from ordertrack.notifications import rules
from ordertrack.notifications.channels import email as email_channel
from ordertrack.notifications.channels import sms as sms_channel
from ordertrack.notifications.channels import webhook as webhook_channel
from ordertrack.notifications.channels.errors import DeliveryFailed
from ordertrack.notifications.message import Channel, MessageContext, TemplateSource
from ordertrack.notifications.payloads import webhook_payload
from ordertrack.notifications.sandbox import TemplateError
from ordertrack.notifications.templates import render

# A channel nobody configured is not a failure of the message: it waits, uncounted.
UNCONFIGURED_WAIT = timedelta(minutes=10)


@dataclass
class Channels:
    """How to reach the outside world; a channel left None is switched off."""

    smtp: email_channel.SmtpConfig | None
    sms: sms_channel.SmsConfig | None
    public_url: str
    secret: str
    transport: httpx.AsyncBaseTransport | None = None
    # Where merchant webhooks may go (public https unless the operator said more); with no
    # test transport, webhooks connect through its guarded transport (DNS rebinding).
    outgoing: OutgoingPolicy = field(default_factory=OutgoingPolicy)

    @classmethod
    def from_settings(cls, settings: Settings) -> Channels:
        smtp = (
            email_channel.SmtpConfig.from_url(settings.smtp_url.get_secret_value(), settings.mail_from)
            if settings.smtp_url
            else None
        )
        sms = None
        if settings.sms_url and settings.sms_account and settings.sms_token and settings.sms_from:
            sms = sms_channel.SmsConfig(
                base_url=settings.sms_url,
                account=settings.sms_account,
                token=settings.sms_token.get_secret_value(),
                from_number=settings.sms_from,
            )
        return cls(
            smtp=smtp,
            sms=sms,
            public_url=settings.public_url,
            secret=settings.resolved_secret_key(),
            outgoing=webhook_channel.endpoint_policy(settings),
        )


@dataclass(frozen=True)
class PreparedMessage:
    """A claimed message, with what it will say and where it goes (read in one transaction)."""

    id: str
    merchant_id: str
    channel: str
    recipient: str
    trigger: str
    stale: bool
    context: MessageContext | None
    source: TemplateSource | None
    webhook: tuple[str, str] | None  # (url, secret)
    zones: tuple[str, ...]  # where an SMS recipient may live, for quiet hours
    error: str | None = None  # it cannot be written at all (gives up at once)
    # An email its feature wrote whole when it was queued (the weekly digest), sent as it is.
    composed: email_channel.RenderedEmail | None = None


@dataclass(frozen=True)
class Outcome:
    state: str  # sent | suppressed | retry | dead | deferred
    provider_id: str | None = None
    error: str | None = None
    not_before: datetime | None = None


async def send(
    prepared: PreparedMessage,
    channels: Channels,
    client: httpx.AsyncClient,
    now: datetime,
    hooks: httpx.AsyncClient,
) -> Outcome:
    if prepared.stale:
        return Outcome("suppressed", error="no longer true when its turn came")
    if prepared.error:
        return Outcome("dead", error=prepared.error)
    if prepared.composed is not None:
        return await _send_composed(prepared, prepared.composed, channels, now)
    context = prepared.context
    assert context is not None
    try:
        if prepared.channel == "email":
            if channels.smtp is None:
                return Outcome(
                    "deferred",
                    error="email is not configured (ORDERTRACK_SMTP_URL)",
                    not_before=now + UNCONFIGURED_WAIT,
                )
            rendered = render(context, Channel.email, prepared.source)
            message_id = await email_channel.send_email(
                channels.smtp,
                prepared.recipient,
                email_channel.RenderedEmail(
                    subject=rendered.subject or context.store_name,
                    text=rendered.text,
                    html=rendered.html or "",
                    unsubscribe_url=context.unsubscribe_url,
                ),
                message_id=prepared.id,
                sender_name=context.store_name,
            )
            return Outcome("sent", provider_id=message_id)
        if prepared.channel == "sms":
            if channels.sms is None:
                return Outcome(
                    "deferred",
                    error="SMS is not configured (ORDERTRACK_SMS_URL)",
                    not_before=now + UNCONFIGURED_WAIT,
                )
            release = sms_channel.quiet_hours_release_everywhere(now, prepared.zones)
            if release is not None:
                return Outcome("deferred", not_before=release)
            rendered = render(context, Channel.sms, prepared.source)
            sid = await sms_channel.send_sms(
                channels.sms,
                prepared.recipient,
                sms_channel.fit_sms(rendered.text),
                client=client,
                idempotency_key=prepared.id,
            )
            return Outcome("sent", provider_id=sid)
        if prepared.channel == "webhook":
            if prepared.webhook is None:
                return Outcome("suppressed", error="the endpoint was removed or switched off")
            url, secret = prepared.webhook
            payload = webhook_payload(context, rules.WEBHOOK_EVENTS[prepared.trigger])
            status = await webhook_channel.send_webhook(
                url,
                secret,
                message_id=prepared.id,
                timestamp=now,
                payload=payload,
                client=hooks,
                policy=channels.outgoing,
            )
            return Outcome("sent", provider_id=str(status))
    except DeliveryFailed as failure:
        state = "retry" if failure.transient else "dead"
        not_before = now + timedelta(seconds=failure.retry_after) if failure.retry_after else None
        return Outcome(state, error=str(failure), not_before=not_before)
    except (TemplateError, ValueError) as failure:
        return Outcome("dead", error=f"{type(failure).__name__}: {failure}")
    return Outcome("dead", error=f"unknown channel {prepared.channel!r}")


async def _send_composed(
    prepared: PreparedMessage, email: email_channel.RenderedEmail, channels: Channels, now: datetime
) -> Outcome:
    if prepared.channel != "email":
        return Outcome("dead", error=f"a composed message goes by email, not {prepared.channel!r}")
    if channels.smtp is None:
        return Outcome(
            "deferred",
            error="email is not configured (ORDERTRACK_SMTP_URL)",
            not_before=now + UNCONFIGURED_WAIT,
        )
    try:
        message_id = await email_channel.send_email(
            channels.smtp, prepared.recipient, email, message_id=prepared.id
        )
    except DeliveryFailed as failure:
        not_before = now + timedelta(seconds=failure.retry_after) if failure.retry_after else None
        return Outcome("retry" if failure.transient else "dead", error=str(failure), not_before=not_before)
    return Outcome("sent", provider_id=message_id)
