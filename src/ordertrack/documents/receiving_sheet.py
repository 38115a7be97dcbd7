"""The receiving sheet as PDF (A4 or Letter): for warehouses that count on paper, then type or
scan the counts in.

The first page carries the inbound shipment's number as Code128 (scanned at the dock, it
opens the shipment on the receiving page), the purchase order, supplier, warehouse, expected
arrival and tracking numbers. Each line has its SKU as Code128, the supplier's SKU, the
product's name, the expected quantity, and two empty boxes to write what was counted in good
order and what was damaged. The lines flow onto as many pages as they need, repeating their
column headings; every page ends with a line to sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
from sqlalchemy import select

from ordertrack.catalog import service as catalog_service
from ordertrack.db.uow import UnitOfWork
from ordertrack.documents.drawing import BOLD, REGULAR, draw_code128, draw_text, printable
from ordertrack.documents.model import PageSize
from ordertrack.documents.packing_slip import PAGE_SIZES
from ordertrack.inventory import repository as inventory_repository
from ordertrack.merchants import service as merchants_service
from ordertrack.suppliers import purchase_orders, receiving
from ordertrack.suppliers import service as suppliers_service
from ordertrack.suppliers.model import SupplierSku
from ordertrack.tracking.model import Parcel

_MARGIN = 36
_HEADER = 150  # merchant, barcode and the shipment's facts, above the lines
_FOOTER = 40
_ROW_HEIGHT = 34  # room to write a number by hand and to scan the SKU's code
_CELL = ParagraphStyle("sheet-cell", fontName=REGULAR, fontSize=8.5, leading=10)
_CELL_BOLD = ParagraphStyle("sheet-cell-bold", parent=_CELL, fontName=BOLD)


@dataclass(frozen=True)
class SheetLine:
    sku: str
    supplier_sku: str
    name: str
    expected: int


@dataclass(frozen=True)
class ReceivingSheetData:
    merchant_name: str
    title: str  # "Inbound shipment PO-7-1" or "Purchase order PO-7"
    barcode: str  # what the dock scans to open it: the ASN's number, else the PO's
    purchase_order_number: str
    supplier_name: str
    warehouse: str
    expected_arrival: date | None
    tracking_numbers: list[str]
    lines: list[SheetLine]
    page_size: PageSize = "A4"


def sheet_data(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    inbound_shipment_ref: str | None = None,
    purchase_order_ref: str | None = None,
    page_size: PageSize = "A4",
) -> ReceivingSheetData:
    """The sheet of an inbound shipment (its lines as declared), or of a purchase order (the
    units still expected on each open line)."""
    if inbound_shipment_ref is not None:
        asn = receiving.find_inbound_shipment(uow, merchant_id, inbound_shipment_ref)
        po = purchase_orders.find_purchase_order(uow, merchant_id, asn.purchase_order_id)
        line_no = {line.id: line.line_no for line in po.lines}
        ordered = sorted(
            asn.lines, key=lambda line: (line_no[line.purchase_order_line_id], line.parcel_seq or 0)
        )
        wanted = [(line.sku, line.quantity) for line in ordered]
        title, barcode = f"Inbound shipment {asn.number}", asn.number
        arrival = asn.expected_arrival_date or po.promised_arrival_date
        numbers = list(
            uow.session.scalars(
                select(Parcel.tracking_number)
                .where(Parcel.merchant_id == merchant_id, Parcel.inbound_shipment_id == asn.id)
                .order_by(Parcel.seq)
            )
        )
    else:
        assert purchase_order_ref is not None
        po = purchase_orders.find_purchase_order(uow, merchant_id, purchase_order_ref)
        wanted = []
        for line in po.lines:
            facts = purchase_orders.line_facts(line)
            if not facts.short_closed and facts.expected > line.received_quantity:
                wanted.append((line.sku, facts.expected - line.received_quantity))
        title, barcode = f"Purchase order {po.number}", po.number
        arrival, numbers = po.promised_arrival_date, []
    supplier = suppliers_service.find_supplier(uow, merchant_id, po.supplier_id)
    skus = {sku for sku, _ in wanted}
    names = catalog_service.product_names(uow, merchant_id, skus)
    theirs = {
        term.sku: term.supplier_sku or ""
        for term in uow.session.scalars(
            select(SupplierSku).where(SupplierSku.supplier_id == supplier.id, SupplierSku.sku.in_(skus))
        )
    }
    return ReceivingSheetData(
        merchant_name=merchants_service.merchant_name(uow, merchant_id),
        title=title,
        barcode=barcode,
        purchase_order_number=po.number,
        supplier_name=supplier.name,
        warehouse=inventory_repository.warehouse_code(uow, po.warehouse_id),
        expected_arrival=arrival,
        tracking_numbers=numbers,
        lines=[SheetLine(sku, theirs.get(sku, ""), names.get(sku, ""), quantity) for sku, quantity in wanted],
        page_size=page_size,
    )


def render_receiving_sheet_pdf(data: ReceivingSheetData) -> bytes:
    buffer = BytesIO()
    width, height = PAGE_SIZES[data.page_size]
    document = SimpleDocTemplate(
        buffer,
        pagesize=(width, height),
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN + _HEADER,
        bottomMargin=_MARGIN + _FOOTER,
        title=printable(f"Receiving sheet {data.barcode}"),
        creator="ordertrack",
        invariant=1,
        pageCompression=1,
    )
    inner = width - 2 * _MARGIN
    if data.lines:
        story = [_lines_table(data, inner)]
    else:
        story = [Paragraph("Nothing is expected: every line has been received or closed.", _CELL)]

    def furniture(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        _draw_page(canvas, data, doc.page, width, height)

    document.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buffer.getvalue()


def _sku_code(sku: str, width: float) -> Code128:
    modules = Code128(sku, barWidth=1, quiet=1, humanReadable=0).wrap(width, 20)[0]
    return Code128(sku, barWidth=min(0.9, width / modules), barHeight=20, quiet=1, humanReadable=0)


def _lines_table(data: ReceivingSheetData, inner: float) -> Table:
    code_w, sku_w, theirs_w, expected_w, box_w = 130, 80, 70, 50, 56
    name_w = inner - code_w - sku_w - theirs_w - expected_w - 2 * box_w
    rows: list[list[object]] = [["Scan", "SKU", "Supplier SKU", "Product", "Expected", "Counted", "Damaged"]]
    for line in data.lines:
        rows.append(
            [
                _sku_code(line.sku, code_w - 6),
                Paragraph(escape(printable(line.sku)), _CELL_BOLD),
                Paragraph(escape(printable(line.supplier_sku)), _CELL),
                Paragraph(escape(printable(line.name)[:300]), _CELL),
                str(line.expected),
                "",
                "",
            ]
        )
    rows.append(
        ["", "", "", Paragraph("Total", _CELL_BOLD), str(sum(line.expected for line in data.lines)), "", ""]
    )
    table = Table(
        rows,
        colWidths=[code_w, sku_w, theirs_w, name_w, expected_w, box_w, box_w],
        rowHeights=[16] + [_ROW_HEIGHT] * len(data.lines) + [18],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), BOLD, 8.5),
                ("FONT", (0, 1), (-1, -1), REGULAR, 10),
                ("FONT", (4, 1), (4, -1), BOLD, 11),
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                ("LINEBELOW", (0, 1), (4, -2), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (4, 0), (-1, -1), "CENTER"),
                # The boxes to write in.
                ("BOX", (5, 1), (6, -2), 1, colors.black),
                ("INNERGRID", (5, 1), (6, -2), 0.75, colors.black),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    return table


def _draw_page(canvas: Canvas, data: ReceivingSheetData, page: int, width: float, height: float) -> None:
    inner = width - 2 * _MARGIN
    top = height - _MARGIN
    barcode_w = 220
    left_w = inner - barcode_w - 12
    bx = _MARGIN + inner - barcode_w
    draw_text(canvas, _MARGIN, top - 16, data.merchant_name, font=BOLD, size=16, width=left_w, min_size=9)
    draw_text(canvas, _MARGIN, top - 32, "RECEIVING SHEET", font=BOLD, size=10, width=left_w)
    draw_code128(canvas, data.barcode, bx, top - 46, width=barcode_w, height=42)
    draw_text(
        canvas, bx, top - 60, data.title, font=BOLD, size=11, width=barcode_w, min_size=7, align="centre"
    )
    if page > 1:
        draw_text(canvas, bx, top - 74, f"continued - page {page}", size=9, width=barcode_w, align="centre")
    facts = [
        ("Purchase order", data.purchase_order_number),
        ("Supplier", data.supplier_name),
        ("Warehouse", data.warehouse),
        ("Expected", data.expected_arrival.isoformat() if data.expected_arrival else "not given"),
    ]
    if data.tracking_numbers:
        facts.append(("Tracking", ", ".join(data.tracking_numbers)))
    for row, (label, value) in enumerate(facts):
        y = top - 52 - 14 * row
        draw_text(canvas, _MARGIN, y, label, font=BOLD, size=9, width=90)
        draw_text(canvas, _MARGIN + 92, y, value, size=9, width=left_w - 92, min_size=6)
    canvas.setLineWidth(0.75)
    canvas.line(_MARGIN, top - _HEADER + 6, width - _MARGIN, top - _HEADER + 6)
    # What the counter signs, on every page: a sheet is handed over page by page.
    y = _MARGIN + 14
    draw_text(
        canvas,
        _MARGIN,
        y,
        "Counted by ______________________   Date ____________   Signature ______________________",
        size=9,
        width=inner - 70,
    )
    draw_text(canvas, _MARGIN + inner - 60, _MARGIN, f"Page {page}", size=8, width=60, align="right")
    draw_text(canvas, _MARGIN, _MARGIN, data.title, size=8, width=inner - 70)
