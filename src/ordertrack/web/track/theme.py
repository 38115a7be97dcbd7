"""The merchant's colours as a small stylesheet, with text colours chosen for contrast.

Pages may not carry inline styles (the CSP forbids them), so each merchant's colours come
from ``/track/theme/{merchant}.css``. A brand colour is used as given for backgrounds, with
black or white text, whichever contrasts more; for links and buttons on white it is darkened
until it reaches WCAG's 4.5:1, so a pale brand colour never makes text unreadable. The colour
arithmetic lives in :mod:`ordertrack.kit.colours`, shared with the emails' buttons.
"""

from __future__ import annotations

from ordertrack.kit.colours import (
    DARK,
    MIN_TEXT_CONTRAST,
    WHITE,
    contrast,
    luminance,
    readable_on_white,
    safe_colour,
    text_on,
)

__all__ = [
    "DARK",
    "MIN_TEXT_CONTRAST",
    "WHITE",
    "contrast",
    "luminance",
    "readable_on_white",
    "safe_colour",
    "stylesheet",
    "text_on",
]


def stylesheet(primary: str, accent: str) -> str:
    primary = safe_colour(primary, "#1f4e79")
    accent = safe_colour(accent, primary)
    return (
        ":root {\n"
        f"  --brand: {readable_on_white(primary)};\n"
        f"  --brand-contrast: {WHITE};\n"
        f"  --brand-surface: {primary};\n"
        f"  --brand-surface-text: {text_on(primary)};\n"
        f"  --accent: {accent};\n"
        f"  --accent-text: {text_on(accent)};\n"
        "}\n"
    )
