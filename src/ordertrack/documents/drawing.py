"""Marks shared by labels and slips on a reportlab canvas: fitted text, Code128 and QR codes.

Only reportlab's built-in Helvetica is used, so rendering never fetches or embeds a font file.
"""

from __future__ import annotations

import itertools
import unicodedata
from typing import BinaryIO, Literal

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"

# Letters with no decomposition into base letter + accent (NFKD leaves them alone).
_UNDECOMPOSABLE = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i"})

# Code128 needs at least ten module widths of white on each side to be found (ISO/IEC 15417 §4.3.2).
_QUIET_MODULES = 10

# QR codes need four modules of white around them (ISO/IEC 18004 §6.3.8).
_QR_QUIET_MODULES = 4

Align = Literal["left", "right", "centre"]


def printable(text: str) -> str:
    """``text`` reduced to what Helvetica's WinAnsi encoding can show.

    Accented letters outside that encoding lose their accent (``ą`` → ``a``), and anything
    else becomes ``?``: a readable approximation beats the black box reportlab would draw.
    """
    text = " ".join(text.split())  # newlines and tabs in data would run off the layout
    out = []
    for char in text.translate(_UNDECOMPOSABLE):
        if unicodedata.category(char) == "Cc":
            continue
        if _in_winansi(char):
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and all(_in_winansi(c) for c in base) else "?")
    return "".join(out)


def _in_winansi(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def fit_text(text: str, font: str, size: float, width: float, min_size: float) -> tuple[str, float]:
    """The text and font size that fit ``width``: shrink down to ``min_size``, then cut with an ellipsis."""
    text = printable(text)
    while size > min_size and stringWidth(text, font, size) > width:
        size = max(min_size, size - 0.5)
    if stringWidth(text, font, size) <= width:
        return text, size
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…", size


def draw_text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    *,
    font: str = REGULAR,
    size: float,
    width: float,
    min_size: float | None = None,
    align: Align = "left",
) -> None:
    """Draw one line of text with its baseline at ``y``, never wider than ``width``."""
    text, size = fit_text(text, font, size, width, min_size or size)
    canvas.setFont(font, size)
    if align == "left":
        canvas.drawString(x, y, text)
    elif align == "right":
        canvas.drawRightString(x + width, y, text)
    else:
        canvas.drawCentredString(x + width / 2, y, text)


def draw_code128(
    canvas: Canvas,
    value: str,
    x: float,
    y: float,
    *,
    width: float,
    height: float,
    widest_bar: float = 1.5,
) -> None:
    """Draw ``value`` as a Code128 symbol centred in ``width`` (quiet zones included), bottom at ``y``.

    The narrow bar is as wide as the space allows up to ``widest_bar`` points, so a long
    tracking number still fits the label rather than running off its edge.
    """
    # At a 1 pt bar the symbol's width in points is its width in modules.
    modules = Code128(value, barWidth=1, quiet=0, humanReadable=0).wrap(width, height)[0]
    bar = min(widest_bar, width / (modules + 2 * _QUIET_MODULES))
    symbol = Code128(value, barWidth=bar, barHeight=height, quiet=0, humanReadable=0)
    symbol_width = symbol.wrap(width, height)[0]
    symbol.drawOn(canvas, x + (width - symbol_width) / 2, y)


def draw_qr(canvas: Canvas, value: str, x: float, y: float, *, size: float) -> None:
    """Draw ``value`` as a QR code filling a ``size`` square, its quiet zone inside the square.

    reportlab's widget only encodes here: drawn as a widget, each dark run became a shape of
    its own and the encoding ran twice, which made the QR code 90% of a label's render time.
    One path of runs is the same picture at a fraction of the cost.
    """
    encoder = QrCodeWidget(value, barLevel="M").qr
    encoder.make()
    box = size / (encoder.getModuleCount() + 2 * _QR_QUIET_MODULES)
    path = canvas.beginPath()
    for row, modules in enumerate(encoder.modules):
        top = y + size - (row + _QR_QUIET_MODULES) * box
        column = 0
        for dark, run in itertools.groupby(bool(module) for module in modules):
            length = len(list(run))
            if dark:
                path.rect(x + (column + _QR_QUIET_MODULES) * box, top - box, length * box, box)
            column += length
    canvas.drawPath(path, stroke=0, fill=1)


def pdf_canvas(buffer: BinaryIO, page_size: tuple[float, float], title: str) -> Canvas:
    """A canvas writing a compressed PDF to ``buffer``.

    ``invariant`` drops the creation time and random file id, so the same data gives the same
    bytes: documents can be compared in tests and cached by content.
    """
    canvas = Canvas(buffer, pagesize=page_size, pageCompression=1, invariant=1)
    canvas.setTitle(printable(title))
    canvas.setCreator("ordertrack")
    return canvas
