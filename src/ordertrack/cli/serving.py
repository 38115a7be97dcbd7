"""How ``ordertrack serve`` presents itself: the base of the links it prints, the proxies it
believes, and an access log that keeps secrets out."""

from __future__ import annotations

import copy
import ipaddress
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG

from ordertrack.config import Settings

# A server listening on every interface has no single address to put in links: the loopback
# address works on this machine, and start-up says to set ORDERTRACK_PUBLIC_URL for others.
_WILDCARDS = {"", "0.0.0.0", "::", "[::]"}


def served_url(host: str, port: int) -> str:
    """The URL a browser on this machine reaches a server listening on ``host``:``port``."""
    name = "127.0.0.1" if host in _WILDCARDS else host.strip("[]")
    try:
        if ipaddress.ip_address(name).version == 6:
            name = f"[{name}]"
    except ValueError:
        pass  # a host name
    return f"http://{name}:{port}"


def with_public_url(settings: Settings, host: str, port: int) -> tuple[Settings, str]:
    """The settings every link is made from, and a line for start-up saying where links point.

    An operator's ``ORDERTRACK_PUBLIC_URL`` is used everywhere; unset, links point to the
    host and port being served (never to a port nobody listens on)."""
    if "public_url" in settings.model_fields_set:
        return settings, f"links point to {settings.public_url} (ORDERTRACK_PUBLIC_URL)"
    derived = served_url(host, port)
    note = f"links point to {derived}, the address being served (set ORDERTRACK_PUBLIC_URL to change it)"
    if host in _WILDCARDS:
        note += "; other machines need ORDERTRACK_PUBLIC_URL set to the address they reach"
    return settings.model_copy(update={"public_url": derived}), note


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's forwarded-header options: believed only from the proxies the operator names."""
    trusted = [part.strip() for part in settings.forwarded_allow_ips.split(",") if part.strip()]
    if not trusted:
        # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default; a client on this machine
        # could then pick its own address and slip past the per-address limits.
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


class PathWithoutQuery(logging.Filter):
    """Drop the query string from access-log lines: webhook URLs carry their token there."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the query string kept out of the access log."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["path_without_query"] = {"()": PathWithoutQuery}
    config["handlers"]["access"]["filters"] = ["path_without_query"]
    return config
