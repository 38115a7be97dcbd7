"""Issue ordertrack's own tracking numbers for merchants who ship with their own couriers."""

from __future__ import annotations

from ordertrack.carriers import repository
from ordertrack.carriers.model import TrackingSequence
from ordertrack.carriers.tracking_numbers import issue_tracking_number
from ordertrack.db.uow import UnitOfWork

# Own numbers read OT0000000042X: "OT" for ordertrack, then the merchant's sequence.
OWN_PREFIX = "OT"


def issue_own_numbers(uow: UnitOfWork, merchant_id: str, count: int) -> list[str]:
    """``count`` fresh numbers, unique per merchant, each with its check character."""
    if count <= 0:
        return []
    sequence = repository.locked_sequence(uow, merchant_id)
    if sequence is None:
        # A concurrent first issue loses the primary-key race and is retried by the edge.
        sequence = TrackingSequence(merchant_id=merchant_id, next_value=1)
        repository.add(uow, sequence)
    first = sequence.next_value
    sequence.next_value = first + count
    uow.flush()
    return [issue_tracking_number(OWN_PREFIX, value) for value in range(first, first + count)]
