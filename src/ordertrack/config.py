"""Typed settings. Nothing else in ordertrack reads ``os.environ``."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ordertrack.kit.signing import SigningKeys

DEFAULT_DATABASE_URL = "sqlite:///./var/ordertrack.db"


class Settings(BaseSettings):
    """Process-wide configuration, read from ``ORDERTRACK_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="ORDERTRACK_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # Base of the links ordertrack prints and sends (label QR codes, emails, webhook URLs).
    # Unset, ``serve`` uses the host and port it listens on; other commands use this default.
    public_url: str = "http://127.0.0.1:8000"
    # The proxies whose X-Forwarded-For / -Proto ``serve`` believes: comma-separated addresses
    # or networks ("10.0.0.5,10.1.0.0/16"), or "*" for any. Empty: none, the peer address counts.
    forwarded_allow_ips: str = ""
    # Signs tracking-page links, unsubscribe links, cookies and form tokens; generated once and
    # kept in var_dir when not given.
    secret_key: SecretStr | None = None
    # Key rotation: the keys secret_key replaced, newest first, as a JSON list ('["old key"]').
    # They still verify what they signed (links on labels and in emails) but sign nothing new;
    # drop one once what it signed has expired (tracking links live 180 days).
    previous_secret_keys: list[SecretStr] = Field(default_factory=list)
    var_dir: Path = Path("./var")

    # Carriers recycle tracking numbers: an event this many days older than the shipment
    # it would match belongs to an earlier parcel that carried the same number.
    recycle_window_days: int = Field(default=60, ge=0)
    # The most events one ingest request may carry.
    max_batch_events: int = Field(default=1000, ge=1)
    # The largest request body the API reads, in bytes.
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # How long a verified API key stays in the in-process cache, in seconds.
    api_key_cache_seconds: float = Field(default=30.0, ge=0)
    # Shoppers' lookups on the tracking page, per client address: a burst of this many, then
    # this many a minute. Raise them when many shoppers share one address (an office network).
    track_lookup_burst: int = Field(default=10, ge=1)
    track_lookups_per_minute: float = Field(default=10, gt=0)
    # Email: "smtp://user:pass@host:port" ("smtps://" for TLS, "?starttls=1"); unset = no email.
    smtp_url: SecretStr | None = None
    mail_from: str = "ordertrack@localhost"
    # SMS through a Twilio-compatible API; unset = no SMS.
    sms_url: str | None = None
    sms_account: str | None = None
    sms_token: SecretStr | None = None
    sms_from: str | None = None
    # Outgoing requests (merchant webhooks, carrier polling) reach public addresses only.
    # Private networks listed here may be reached too, for the whole process: an own receiver
    # on the LAN ("10.1.2.0/24"), or "127.0.0.0/8" in development and tests. Comma-separated.
    outgoing_allowed_networks: str = ""
    # Development switch: merchant webhook endpoints may be plain http:// (production: https).
    webhooks_allow_http: bool = False
    # Operator-only: a carrier's API root by connector slug, in place of the connector's own,
    # as JSON ('{"dhl": "http://127.0.0.1:9000"}'), for fake carriers in development and tests.
    # Merchants only choose production or sandbox. The address rule above still applies.
    carrier_base_urls: dict[str, str] = Field(default_factory=dict)
    # Shipment alerts: a parcel silent this long is likely lost (at home / abroad), and a label
    # with no carrier scan after this many business days was not picked up.
    lost_after_days_domestic: float = Field(default=7, gt=0)
    lost_after_days_international: float = Field(default=20, gt=0)
    not_picked_up_business_days: int = Field(default=2, ge=0)
    # Test switch: the PostgreSQL server the PostgreSQL tests use (they create their own database).
    test_postgres_url: str | None = None
    # CI switch: fail, instead of skip, when the PostgreSQL tests cannot run.
    require_postgres_tests: bool = False

    @field_validator("outgoing_allowed_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        from ordertrack.kit.outgoing import parse_networks  # noqa: PLC0415 - keeps httpx out of config

        parse_networks(value)  # ValueError: not a network
        return value

    @field_validator("previous_secret_keys")
    @classmethod
    def _previous_keys(cls, value: list[SecretStr]) -> list[SecretStr]:
        if not all(key.get_secret_value() for key in value):
            raise ValueError("a previous secret key must not be empty")
        return value

    @field_validator("carrier_base_urls")
    @classmethod
    def _carrier_roots(cls, value: dict[str, str]) -> dict[str, str]:
        for slug, url in value.items():
            if not url.startswith(("https://", "http://")) or len(url.split("/")[2]) == 0:
                raise ValueError(f"the base URL for {slug!r} must be an http(s) URL, not {url!r}")
        return {slug.lower(): url for slug, url in value.items()}

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated on first use and kept in ``var_dir``."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.var_dir / "secret_key"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def signing_keys(self) -> SigningKeys:
        """The secret that signs and the previous ones that still verify."""
        previous = tuple(key.get_secret_value() for key in self.previous_secret_keys)
        return SigningKeys(self.resolved_secret_key(), previous)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
