"""Delivery channels: async adapters that send one rendered message and say how it went.

No database and no templates here: the outbox worker picks a message, renders it and calls
one of ``send_email``, ``send_sms`` or ``send_webhook``; a :class:`DeliveryFailed` tells it
whether to retry (``transient``) and how long the provider asked it to wait (``retry_after``).
"""

from ordertrack.notifications.channels.email import RenderedEmail, SmtpConfig, build_message, send_email
from ordertrack.notifications.channels.errors import DeliveryFailed
from ordertrack.notifications.channels.sms import (
    InvalidPhoneNumber,
    SmsConfig,
    fit_sms,
    normalise_phone,
    quiet_hours_release,
    segments,
    send_sms,
)
from ordertrack.notifications.channels.webhook import new_webhook_secret, send_webhook, sign

__all__ = [
    "DeliveryFailed",
    "InvalidPhoneNumber",
    "RenderedEmail",
    "SmsConfig",
    "SmtpConfig",
    "build_message",
    "fit_sms",
    "new_webhook_secret",
    "normalise_phone",
    "quiet_hours_release",
    "segments",
    "send_email",
    "send_sms",
    "send_webhook",
    "sign",
]
