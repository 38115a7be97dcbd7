"""What the shopper reads: unified statuses and reasons turned into plain sentences.

The sentences are gettext message ids, marked with :func:`N_` so they can be extracted and
translated; the templates pass them through ``_()`` in the shopper's language. Nothing here
depends on a request or a locale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for translation without translating it yet."""
    return message


Tone = Literal["ok", "warn", "bad"]

# The stepper's steps, in order.
STEPS: tuple[tuple[str, str], ...] = (
    ("ordered", N_("Ordered")),
    ("processing", N_("Processing")),
    ("shipped", N_("Shipped")),
    ("out_for_delivery", N_("Out for delivery")),
    ("delivered", N_("Delivered")),
)
STEP_INDEX = {key: index for index, (key, _label) in enumerate(STEPS)}

# Where a parcel in each unified status stands on the stepper.
PARCEL_STEP: dict[str, str] = {
    "pending": "processing",
    "info_received": "processing",
    "in_transit": "shipped",
    "out_for_delivery": "out_for_delivery",
    "available_for_pickup": "out_for_delivery",
    "failed_attempt": "out_for_delivery",
    "delivered": "delivered",
    "exception": "shipped",
    "returning": "shipped",
    "returned": "shipped",
}


@dataclass(frozen=True)
class Plainly:
    """A status in the shopper's words: a sentence, how worried to look, and whether the
    shopper may need the store (the page then shows the store's contact beside it)."""

    sentence: str
    tone: Tone = "ok"
    contact: bool = False


PARCEL_WORDS: dict[str, Plainly] = {
    "pending": Plainly(N_("The store is preparing this parcel.")),
    "info_received": Plainly(N_("The label is ready. The carrier hasn't picked up the parcel yet.")),
    "in_transit": Plainly(N_("On its way.")),
    "out_for_delivery": Plainly(N_("Out for delivery: it should arrive today.")),
    "available_for_pickup": Plainly(N_("Ready for you to pick up from the carrier.")),
    "failed_attempt": Plainly(
        N_("The carrier tried to deliver but couldn't. They usually try again on the next working day."),
        "warn",
        contact=True,
    ),
    "delivered": Plainly(N_("Delivered.")),
    "exception": Plainly(
        N_(
            "There's a problem with this delivery. "
            "The carrier is working on it; contact the store if it doesn't move soon."
        ),
        "bad",
        contact=True,
    ),
    "returning": Plainly(
        N_("The parcel is on its way back to the store. Contact the store."), "bad", contact=True
    ),
    "returned": Plainly(N_("The parcel went back to the store. Contact the store."), "bad", contact=True),
}

# A reason says more than its status; the sentence for (status, reason) wins when known.
REASON_WORDS: dict[str, Plainly] = {
    "address_issue": Plainly(
        N_("There's a problem with the delivery address. Contact the store."), "bad", contact=True
    ),
    "damaged": Plainly(N_("The parcel was damaged on the way. Contact the store."), "bad", contact=True),
    "lost": Plainly(N_("The carrier can't find the parcel. Contact the store."), "bad", contact=True),
    "customs_hold": Plainly(N_("The parcel is held at customs. This can take a few days."), "warn"),
    "payment_required": Plainly(
        N_("There's a charge to pay before delivery. Check with the carrier."), "warn"
    ),
    "refused": Plainly(
        N_("The delivery was refused, so the parcel will go back to the store."), "bad", contact=True
    ),
    "weather": Plainly(N_("Bad weather is delaying the delivery."), "warn"),
    "delayed": Plainly(N_("The delivery is running late."), "warn"),
    "recipient_unavailable": Plainly(
        N_("Nobody was there to take the parcel. The carrier will try again or leave a note."), "warn"
    ),
    "business_closed": Plainly(
        N_("The address was closed when the carrier came. They will try again."), "warn"
    ),
    "held_at_carrier": Plainly(N_("The carrier is holding the parcel. Check the carrier's page."), "warn"),
    "undeliverable": Plainly(
        N_("The carrier can't deliver the parcel. Contact the store."), "bad", contact=True
    ),
    "returned_to_sender": Plainly(
        N_("The parcel is on its way back to the store. Contact the store."), "bad", contact=True
    ),
}


def parcel_words(status: str, reason: str | None) -> Plainly:
    """The sentence for a parcel's (or shipment's) status and reason."""
    if status in ("exception", "failed_attempt", "returning") and reason and reason in REASON_WORDS:
        return REASON_WORDS[reason]
    return PARCEL_WORDS.get(status, PARCEL_WORDS["in_transit"])


# What one scan says, when the carrier gave no description of its own.
SCAN_WORDS: dict[str, str] = {
    "info_received": N_("Label created"),
    "in_transit": N_("In transit"),
    "out_for_delivery": N_("Out for delivery"),
    "available_for_pickup": N_("Ready for pickup"),
    "failed_attempt": N_("Delivery attempted"),
    "delivered": N_("Delivered"),
    "exception": N_("Delivery problem"),
    "returning": N_("Returning to the store"),
    "returned": N_("Returned to the store"),
}

ORDER_WORDS: dict[str, Plainly] = {
    "pending": Plainly(N_("We have your order.")),
    "processing": Plainly(N_("The store is getting your order ready.")),
    "partially_shipped": Plainly(N_("Part of your order is on its way; the rest will follow.")),
    "shipped": Plainly(N_("Your order is on its way.")),
    "partially_delivered": Plainly(N_("Part of your order has arrived; the rest is on its way.")),
    "delivered": Plainly(N_("Your order has been delivered.")),
    "partially_returned": Plainly(
        N_("Part of your order went back to the store. Contact the store."), "bad", contact=True
    ),
    "returned": Plainly(N_("Your order went back to the store. Contact the store."), "bad", contact=True),
    "cancelled": Plainly(N_("This order was cancelled."), "bad", contact=True),
}

# A parcel the store handed to the carrier that has no scan yet (or only the label's).
HANDED_OVER = Plainly(N_("The carrier has the parcel. Its first scan will show here soon."))

# The stepper's last step for an order that ended without (all of it) arriving.
FINISHED_STEPS: dict[str, str] = {
    "cancelled": N_("Cancelled"),
    "returned": N_("Returned to the store"),
}

# A scan's reason in a few words, after its status ("Delivery attempted · Nobody was there").
SCAN_REASON_WORDS: dict[str, str] = {
    "address_issue": N_("Problem with the address"),
    "damaged": N_("Damaged"),
    "lost": N_("Lost"),
    "customs_hold": N_("Held at customs"),
    "payment_required": N_("Charge to pay"),
    "refused": N_("Refused"),
    "weather": N_("Bad weather"),
    "delayed": N_("Delayed"),
    "recipient_unavailable": N_("Nobody was there"),
    "business_closed": N_("Address closed"),
    "held_at_carrier": N_("Held by the carrier"),
    "undeliverable": N_("Can't be delivered"),
    "returned_to_sender": N_("Going back to the store"),
}
