"""Colours that stay readable: WCAG contrast, and a brand colour adjusted until text on it (or
it, as text) reads at 4.5:1. Shared by the tracking page's stylesheet and the emails' buttons."""

from __future__ import annotations

import re

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
DARK = "#111111"
MIN_TEXT_CONTRAST = 4.5  # WCAG 2 AA for normal text


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
    """WCAG contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(background: str) -> str:
    """Black-ish or white text, whichever reads better on ``background``."""
    return WHITE if contrast(background, WHITE) >= contrast(background, DARK) else DARK


def readable_on_white(colour: str) -> str:
    """``colour``, darkened just enough to be read as text on white (or white text on it)."""
    r, g, b = _channels(colour)
    for step in range(0, 101):
        factor = 1 - step / 100
        candidate = f"#{int(r * factor):02x}{int(g * factor):02x}{int(b * factor):02x}"
        if contrast(candidate, WHITE) >= MIN_TEXT_CONTRAST:
            return candidate
    return DARK


def button_colours(brand: str) -> tuple[str, str]:
    """(background, text) for a button in the brand colour: the colour as given with white or
    dark text when either reads at 4.5:1 (a yellow brand keeps its yellow, with dark text),
    else the colour darkened until white text does."""
    text = text_on(brand)
    if contrast(brand, text) >= MIN_TEXT_CONTRAST:
        return brand, text
    return readable_on_white(brand), WHITE


def safe_colour(value: str | None, fallback: str) -> str:
    """``value`` when it is ``#rrggbb`` (lower-cased), else ``fallback``."""
    return value.lower() if value and _HEX.match(value) else fallback
