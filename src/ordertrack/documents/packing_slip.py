"""The packing slip as PDF (A4 or Letter): what is in this parcel and what is still to follow.

The first page carries the merchant, the order number as Code128 (scanned at the packing
bench and at returns), the recipient and the parcel position. The item tables flow onto as
many further pages as they need, repeating their column headings.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import LayoutError

from ordertrack.documents.drawing import BOLD, REGULAR, draw_code128, draw_text, pdf_canvas, printable
from ordertrack.documents.model import PackingSlipData, PageSize, SlipLine

PAGE_SIZES: dict[PageSize, tuple[float, float]] = {"A4": A4, "Letter": LETTER}
_MARGIN = 40
_FIRST_PAGE_HEADER = 170  # height of merchant, barcode and address block above the items
_LATER_PAGE_HEADER = 34
_FOOTER = 28

# Catalogue names are at most 300 characters; a longer cell could outgrow a whole page.
_LONGEST_CELL_TEXT = 300

_CELL = ParagraphStyle("cell", fontName=REGULAR, fontSize=9, leading=11)
_CELL_BOLD = ParagraphStyle("cell-bold", parent=_CELL, fontName=BOLD)
_HEADING = ParagraphStyle("heading", fontName=BOLD, fontSize=12, leading=15, spaceBefore=6, spaceAfter=6)
_NOTE = ParagraphStyle("note", fontName=REGULAR, fontSize=9, leading=11, spaceAfter=6)
_TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 1), (-1, -1), REGULAR, 9),
        ("FONT", (0, 0), (-1, 0), BOLD, 9),
        ("FONT", (0, -1), (-1, -1), BOLD, 9),
        ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)


def render_packing_slip_pdf(data: PackingSlipData) -> bytes:
    """One packing slip as a PDF of one or more pages."""
    buffer = BytesIO()
    canvas = pdf_canvas(buffer, PAGE_SIZES[data.page_size], f"Packing slip {data.order_number}")
    draw_packing_slip(canvas, data)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_packing_slip(canvas: Canvas, data: PackingSlipData) -> None:
    """Draw the slip from the canvas's current page on; the caller ends the last page."""
    story = slip_story(data)
    page = 1
    while True:
        frame = _draw_page_furniture(canvas, data, page)
        _fill_frame(frame, story, canvas)
        if not story:
            return
        canvas.showPage()
        page += 1


def slip_story(data: PackingSlipData) -> list[Flowable]:
    """The flowing part of the slip: the items in this parcel, then those still to follow."""
    width = PAGE_SIZES[data.page_size][0] - 2 * _MARGIN
    story: list[Flowable] = [Paragraph("In this parcel", _HEADING)]
    if data.lines:
        story.append(_items_table(data.lines, width))
    else:
        story.append(Paragraph("Nothing in this parcel.", _NOTE))
    if data.still_to_follow:
        story += [
            Spacer(0, 12),
            Paragraph("Still to follow", _HEADING),
            Paragraph("These items are part of your order and will arrive in a later parcel.", _NOTE),
            _items_table(data.still_to_follow, width),
        ]
    return story


def _items_table(lines: Sequence[SlipLine], width: float) -> Table:
    sku_width, quantity_width = 120, 50
    rows = [["SKU", "Item", "Qty"]] + [
        [_cell(line.sku), _cell(line.name), str(line.quantity)] for line in lines
    ]
    rows.append(["", Paragraph("Total", _CELL_BOLD), str(sum(line.quantity for line in lines))])
    table = Table(
        rows, colWidths=[sku_width, width - sku_width - quantity_width, quantity_width], repeatRows=1
    )
    table.setStyle(_TABLE_STYLE)
    return table


def _cell(text: str) -> Paragraph:
    return Paragraph(escape(printable(text)[:_LONGEST_CELL_TEXT]), _CELL)


def _fill_frame(frame: Frame, story: list[Flowable], canvas: Canvas) -> None:
    """Draw flowables from the front of ``story`` into ``frame``, splitting the one at the bottom.

    What did not fit stays in ``story`` for the next page.
    """
    placed_any = False
    while story:
        if frame.add(story[0], canvas, trySplit=1):
            story.pop(0)
            placed_any = True
            continue
        parts = frame.split(story[0], canvas)
        if parts and frame.add(parts[0], canvas, trySplit=1):
            story[0:1] = parts[1:]
            placed_any = True
            continue
        if not placed_any:  # an empty page could not take it: the next one will not either
            raise LayoutError(f"{type(story[0]).__name__} does not fit on an empty page")
        return


def _draw_page_furniture(canvas: Canvas, data: PackingSlipData, page: int) -> Frame:
    """Draw the header and footer of page ``page`` and return the frame the items flow into."""
    width, height = PAGE_SIZES[data.page_size]
    canvas.setPageSize((width, height))
    inner = width - 2 * _MARGIN
    header = _FIRST_PAGE_HEADER if page == 1 else _LATER_PAGE_HEADER
    if page == 1:
        _draw_first_page_header(canvas, data, top=height - _MARGIN, inner=inner)
    else:
        draw_text(
            canvas,
            _MARGIN,
            height - _MARGIN - 12,
            data.merchant_name,
            font=BOLD,
            size=11,
            width=inner / 2,
            min_size=8,
        )
        draw_text(
            canvas,
            _MARGIN + inner / 2,
            height - _MARGIN - 12,
            f"Order {data.order_number} - packing slip (continued)",
            size=9,
            width=inner / 2,
            min_size=7,
            align="right",
        )
    canvas.setLineWidth(0.75)
    canvas.line(_MARGIN, height - _MARGIN - header + 8, width - _MARGIN, height - _MARGIN - header + 8)
    draw_text(canvas, _MARGIN, _MARGIN, f"Order {data.order_number}", size=8, width=inner / 2)
    draw_text(canvas, _MARGIN + inner / 2, _MARGIN, f"Page {page}", size=8, width=inner / 2, align="right")
    return Frame(
        _MARGIN,
        _MARGIN + _FOOTER,
        inner,
        height - 2 * _MARGIN - header - _FOOTER,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )


def _draw_first_page_header(canvas: Canvas, data: PackingSlipData, top: float, inner: float) -> None:
    left_width, barcode_width = inner - 220, 210
    barcode_x = _MARGIN + inner - barcode_width
    draw_text(
        canvas, _MARGIN, top - 18, data.merchant_name, font=BOLD, size=18, width=left_width, min_size=10
    )
    draw_text(canvas, _MARGIN, top - 34, "PACKING SLIP", font=BOLD, size=10, width=left_width)
    draw_code128(canvas, data.order_number, barcode_x, top - 46, width=barcode_width, height=44)
    draw_text(
        canvas,
        barcode_x,
        top - 60,
        f"Order {data.order_number}",
        font=BOLD,
        size=11,
        width=barcode_width,
        min_size=7,
        align="centre",
    )
    draw_text(
        canvas,
        barcode_x,
        top - 76,
        f"Placed {data.placed_at:%Y-%m-%d}",
        size=9,
        width=barcode_width,
        align="centre",
    )
    draw_text(
        canvas,
        barcode_x,
        top - 90,
        f"Parcel {data.parcel_index} of {data.parcel_count}",
        font=BOLD,
        size=10,
        width=barcode_width,
        align="centre",
    )

    ship_to = data.ship_to
    draw_text(canvas, _MARGIN, top - 62, "Ship to", font=BOLD, size=8, width=left_width)
    draw_text(canvas, _MARGIN, top - 76, ship_to.name, font=BOLD, size=11, width=left_width, min_size=8)
    for row, line in enumerate(ship_to.printed_lines()[:4]):
        draw_text(canvas, _MARGIN, top - 90 - 13 * row, line, size=10, width=left_width, min_size=7)
