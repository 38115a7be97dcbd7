"""The 4x6 inch shipping label as PDF, for laser sheets and thermal printers that take PDF.

Layout, top to bottom: sender and carrier band, the recipient in large type, the tracking
number as Code128 with the number under it, then the order and a QR code of the tracking page.
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from ordertrack.documents.drawing import BOLD, draw_code128, draw_qr, draw_text, pdf_canvas
from ordertrack.documents.model import Address, LabelData

LABEL_PAGE = (4 * inch, 6 * inch)  # 288 x 432 pt, the common thermal label stock
_MARGIN = 12
_WIDTH = LABEL_PAGE[0] - 2 * _MARGIN


def render_label_pdf(data: LabelData) -> bytes:
    """One label as a one-page PDF."""
    buffer = BytesIO()
    canvas = pdf_canvas(buffer, LABEL_PAGE, f"Label {data.tracking_number}")
    draw_label(canvas, data)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_label(canvas: Canvas, data: LabelData) -> None:
    """Draw the label on the canvas's current page; the caller ends the page."""
    canvas.setPageSize(LABEL_PAGE)
    _draw_sender_and_carrier(canvas, data, top=420)
    _rule(canvas, 356)
    _draw_recipient(canvas, data.ship_to, top=344)
    _rule(canvas, 246)
    draw_code128(canvas, data.tracking_number, _MARGIN, 162, width=_WIDTH, height=74)
    draw_text(
        canvas,
        _MARGIN,
        146,
        data.tracking_number,
        font=BOLD,
        size=12,
        width=_WIDTH,
        min_size=7,
        align="centre",
    )
    _rule(canvas, 136)
    _draw_order_and_tracking_page(canvas, data, top=128)


def format_weight(grams: int) -> str:
    """Grams as carriers print them: ``850 g`` below a kilogram, ``2.35 kg`` from there.

    Kilograms are rounded up to 10 g, never down: carriers charge by the started unit, so a
    label must not claim a parcel lighter than it is.
    """
    if grams < 1000:
        return f"{grams} g"
    hundredths = -(-grams // 10)
    kilograms = f"{hundredths // 100}.{hundredths % 100:02d}".rstrip("0").rstrip(".")
    return f"{kilograms} kg"


def _draw_sender_and_carrier(canvas: Canvas, data: LabelData, top: float) -> None:
    left_width, right_width = 150, 106
    right = LABEL_PAGE[0] - _MARGIN - right_width
    draw_text(canvas, _MARGIN, top - 8, "FROM", font=BOLD, size=6.5, width=left_width)
    draw_text(canvas, _MARGIN, top - 18, data.ship_from.name, font=BOLD, size=8, width=left_width, min_size=6)
    for row, line in enumerate(data.ship_from.printed_lines()[:4]):
        draw_text(canvas, _MARGIN, top - 27 - 9 * row, line, size=7.5, width=left_width, min_size=6)

    draw_text(
        canvas,
        right,
        top - 14,
        data.carrier.upper(),
        font=BOLD,
        size=14,
        width=right_width,
        min_size=8,
        align="right",
    )
    draw_text(canvas, right, top - 25, data.service, size=8, width=right_width, min_size=6, align="right")
    draw_text(
        canvas, right, top - 37, format_weight(data.weight_grams), size=9, width=right_width, align="right"
    )
    draw_text(
        canvas,
        right,
        top - 52,
        f"PARCEL {data.parcel_index} OF {data.parcel_count}",
        font=BOLD,
        size=11,
        width=right_width,
        min_size=8,
        align="right",
    )


def _draw_recipient(canvas: Canvas, ship_to: Address, top: float) -> None:
    draw_text(canvas, _MARGIN, top, "SHIP TO", font=BOLD, size=7, width=_WIDTH)
    draw_text(canvas, _MARGIN, top - 18, ship_to.name, font=BOLD, size=16, width=_WIDTH, min_size=10)
    for row, line in enumerate(ship_to.printed_lines()[:4]):
        draw_text(canvas, _MARGIN, top - 36 - 16 * row, line, size=13, width=_WIDTH, min_size=8)


def _draw_order_and_tracking_page(canvas: Canvas, data: LabelData, top: float) -> None:
    qr_size = top - _MARGIN - 4
    text_width = _WIDTH - qr_size - 6
    draw_qr(canvas, data.tracking_url, LABEL_PAGE[0] - _MARGIN - qr_size, _MARGIN + 4, size=qr_size)
    draw_text(canvas, _MARGIN, top - 12, "ORDER", font=BOLD, size=7, width=text_width)
    draw_text(canvas, _MARGIN, top - 26, data.order_number, font=BOLD, size=13, width=text_width, min_size=8)
    draw_text(canvas, _MARGIN, top - 40, data.merchant_name, size=8, width=text_width, min_size=6)
    draw_text(canvas, _MARGIN, top - 68, "Track this parcel:", font=BOLD, size=7, width=text_width)
    # The QR code carries the full address; the printed one may be cut to fit.
    draw_text(canvas, _MARGIN, top - 78, data.tracking_url, size=7, width=text_width, min_size=5)


def _rule(canvas: Canvas, y: float) -> None:
    canvas.setLineWidth(1.2)
    canvas.line(_MARGIN, y, LABEL_PAGE[0] - _MARGIN, y)
