"""A carrier's code table: its raw event codes onto ordertrack's unified status and reason.

Each carrier folder's ``codes.py`` builds one :class:`CodeTable`. A code the table does not
know never raises: it maps to the table's safe fallback status (normally ``in_transit``,
which cannot move a delivered parcel back and says nothing false about where it is), the
raw code is kept on the event, and the mapping adds an ``unknown_code`` message that ingest
counts per merchant, carrier and code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ordertrack.carriers.reading import Notes
from ordertrack.statuses import EventStatus

Meaning = tuple[EventStatus, str | None]


@dataclass(frozen=True)
class CodeTable:
    carrier: str
    codes: Mapping[str, Meaning]
    fallback: EventStatus = EventStatus.in_transit
    # Codes compared without case or surrounding blanks, as carriers are not consistent.
    normalised: dict[str, Meaning] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "normalised", {k.strip().upper(): v for k, v in self.codes.items()})

    def meaning(self, code: str | None) -> Meaning | None:
        if code is None:
            return None
        return self.normalised.get(code.strip().upper())

    def lookup(self, code: str | None, notes: Notes, where: str, description: str | None = None) -> Meaning:
        """The code's meaning, or the fallback plus an ``unknown_code`` message."""
        found = self.meaning(code)
        if found is not None:
            return found
        said = f" ({description})" if description else ""
        notes.add(
            "unknown_code",
            f"{self.carrier} code {code!r}{said} is not in the code table",
            where,
            subject=code,
        )
        return (self.fallback, None)


def meanings(status: EventStatus, codes: str, reason: str | None = None) -> dict[str, Meaning]:
    """``codes`` (blank-separated) all meaning ``status`` with ``reason``: tables read as lists."""
    return {code: (status, reason) for code in codes.split()}
