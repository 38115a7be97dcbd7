"""Who signed for a parcel, when the carrier's ``signed_by`` really names someone.

Carriers fill the field with notes about the signature instead of a name: FedEx through
AfterShip writes "Signature not required" (the recorded UpdateTracking result), others write
"N/A", "Not required", "No signature" or "Released". Taking those as a name would show the
shopper that "Signature not required" signed for their parcel, so they read as no signer.
"""

from __future__ import annotations

import re

from ordertrack.carriers.reading import text

# Notes carriers write where a name belongs; matched as whole words, without case.
_NOT_A_NAME = re.compile(
    r"\b(?:signature|not required|not requested|no signature|required|waived|released|unknown|"
    r"n/?a|none|unsigned|left at|front door|mailbox|porch)\b",
    re.IGNORECASE,
)


def signer(value: object) -> str | None:
    """The signer's name, or None for a missing value, a placeholder or a note about the signature."""
    name = text(value)
    if name is None or _NOT_A_NAME.search(name) or not re.search(r"[^\W\d_]", name):
        return None
    return name
