"""The merchant's colours as a small stylesheet, with text colours chosen for contrast.

Pages may not carry inline styles (the CSP forbids them), so each merchant's colours come
from ``/track/theme/{merchant}.css``. A brand colour is used as given for backgrounds, with
black or white text, whichever contrasts more; for links and buttons on white it is darkened
until it reaches WCAG's 4.5:1, so a pale brand colour never makes text unreadable.
"""

from __future__ import annotations

import re

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
DARK = "#111111"
MIN_TEXT_CONTRAST = 4.5


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""

    def linear(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(background: str) -> str:
    """Black-ish or white text, whichever reads better on ``background``."""
    return WHITE if contrast(background, WHITE) >= contrast(background, DARK) else DARK


def readable_on_white(colour: str) -> str:
    """``colour``, darkened just enough to be read as text on white."""
    r, g, b = _channels(colour)
    for step in range(0, 101):
        factor = 1 - step / 100
        candidate = f"#{int(r * factor):02x}{int(g * factor):02x}{int(b * factor):02x}"
        if contrast(candidate, WHITE) >= MIN_TEXT_CONTRAST:
            return candidate
    return DARK


def safe_colour(value: str, fallback: str) -> str:
    return value.lower() if _HEX.match(value or "") else fallback


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
