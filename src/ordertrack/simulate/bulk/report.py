"""What a bulk load wrote, refused and skipped: counted as the chunks are played."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BulkReport:
    """What a bulk load wrote, and what it refused or skipped."""

    orders: int = 0
    shipments: int = 0
    events_stored: int = 0
    duplicates: int = 0
    unmatched: int = 0
    seconds: float = 0.0
    rejected_events: int = 0
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # by error code
    webhooks: int = 0
    records: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "refused": dict(self.refused), "seconds": round(self.seconds, 1)}
