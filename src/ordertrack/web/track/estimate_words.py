"""What the shopper reads under the estimated delivery: what the window is based on, and why
each revision happened (the words are eta's, translated by ``locale/*/track_eta.po``)."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from ordertrack.eta.causes import cause_words


@dataclass(frozen=True)
class EstimateBasis:
    """What the promise now is based on (eta.engine.BASIS_*), between which countries."""

    kind: str  # route, wider, typical, carrier
    deliveries: int = 0
    origin: str | None = None  # ISO country codes
    destination: str | None = None

    @property
    def domestic(self) -> bool:
        return self.origin is not None and self.origin == self.destination

    def origin_name(self, locale: str) -> str:
        return _country(self.origin, locale)

    def destination_name(self, locale: str) -> str:
        return _country(self.destination, locale)


def basis_of(
    kind: str | None, deliveries: int | None, origin: str | None, destination: str | None
) -> EstimateBasis | None:
    """None when the revision did not keep it (older rows, a window from stored parts)."""
    if kind not in {"route", "wider", "typical", "carrier"}:
        return None
    if kind == "route" and not (deliveries and origin and destination):
        return None
    return EstimateBasis(kind, deliveries or 0, origin, destination)


def why(cause: str | None) -> str | None:
    """The English words (a gettext msgid) for why a revision happened."""
    return cause_words(cause)


def _country(code: str | None, locale: str) -> str:
    if not code:
        return ""
    try:
        names = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError):
        names = Locale("en").territories
    return str(names.get(code.upper(), code.upper()))
