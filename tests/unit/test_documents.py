"""Fulfilment documents: labels and slips are read back the way a printer or a scanner would.

PDFs are rasterised with pdfium and their barcodes decoded with zxing, so a test passes only
if the symbol on the page really scans to the right value.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pypdfium2 as pdfium
import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st

from ordertrack.documents.batch import render_batch_pdf
from ordertrack.documents.drawing import printable
from ordertrack.documents.label import format_weight, render_label_pdf
from ordertrack.documents.model import Address, LabelData, PackingSlipData, SlipLine
from ordertrack.documents.packing_slip import render_packing_slip_pdf
from ordertrack.documents.zpl import field_data, render_label_zpl

UPS_NUMBER = "1Z999AA10123456784"
TRACKING_URL = "http://127.0.0.1:8000/track/abc123"

WAREHOUSE = Address(
    name="Northwind Goods Ltd",
    line1="Unit 4, Riverside Park",
    line2="",
    city="Manchester",
    region="",
    postal_code="M17 1SD",
    country="United Kingdom",
)
SHOPPER = Address(
    name="Amelia Hartley",
    line1="27 Orchard Lane",
    line2="Flat 3",
    city="Bristol",
    region="",
    postal_code="BS1 4DJ",
    country="United Kingdom",
)


def a_label(**changes: object) -> LabelData:
    fields: dict[str, object] = dict(
        merchant_name="Northwind Goods",
        ship_from=WAREHOUSE,
        ship_to=SHOPPER,
        carrier="UPS",
        service="Standard",
        weight_grams=2350,
        parcel_index=1,
        parcel_count=2,
        tracking_number=UPS_NUMBER,
        tracking_url=TRACKING_URL,
        order_number="NW-100234",
    )
    return LabelData(**{**fields, **changes})


def a_slip(**changes: object) -> PackingSlipData:
    fields: dict[str, object] = dict(
        merchant_name="Northwind Goods",
        order_number="NW-100234",
        ship_to=SHOPPER,
        lines=(SlipLine("NW-TEE-M-BLK", "Organic cotton t-shirt, M, black", 2),),
        still_to_follow=(),
        page_size="A4",
        parcel_index=1,
        parcel_count=1,
        placed_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
    )
    return PackingSlipData(**{**fields, **changes})


def pages(pdf: bytes) -> list[pdfium.PdfPage]:
    document = pdfium.PdfDocument(pdf)
    return [document[index] for index in range(len(document))]


def barcodes(page: pdfium.PdfPage) -> dict[zxingcpp.BarcodeFormat, list[str]]:
    """What a scanner reads off the page printed at 216 dpi."""
    found: dict[zxingcpp.BarcodeFormat, list[str]] = {}
    for result in zxingcpp.read_barcodes(page.render(scale=3).to_pil()):
        found.setdefault(result.format, []).append(result.text)
    return found


def text(page: pdfium.PdfPage) -> str:
    return page.get_textpage().get_text_range()


def size(page: pdfium.PdfPage) -> tuple[int, int]:
    width, height = page.get_size()
    return round(width), round(height)


# Labels (PDF)


def test_label_is_one_four_by_six_inch_page() -> None:
    (page,) = pages(render_label_pdf(a_label()))
    assert size(page) == (288, 432)


def test_label_barcode_scans_as_the_tracking_number_and_qr_as_the_tracking_page() -> None:
    (page,) = pages(render_label_pdf(a_label()))
    assert barcodes(page) == {
        zxingcpp.BarcodeFormat.Code128: [UPS_NUMBER],
        zxingcpp.BarcodeFormat.QRCode: [TRACKING_URL],
    }


def test_label_prints_sender_recipient_carrier_weight_and_parcel_position() -> None:
    (page,) = pages(render_label_pdf(a_label(parcel_index=2, parcel_count=3)))
    printed = text(page)
    for expected in (
        "Northwind Goods Ltd",
        "Amelia Hartley",
        "27 Orchard Lane",
        "Bristol BS1 4DJ",
        "UPS",
        "Standard",
        "2.35 kg",
        "PARCEL 2 OF 3",
        UPS_NUMBER,
        "NW-100234",
    ):
        assert expected in printed


def test_long_tracking_number_narrows_its_bars_to_fit_the_label_and_still_scans() -> None:
    long_number = "JJD0002249991234567890123456789ABCD"
    (page,) = pages(render_label_pdf(a_label(tracking_number=long_number)))
    assert barcodes(page)[zxingcpp.BarcodeFormat.Code128] == [long_number]


def test_letters_helvetica_cannot_show_lose_their_accent_not_the_word() -> None:
    assert printable("Łódź, Straße 5") == "Lódz, Straße 5"
    assert printable("Dvořák\nstreet") == "Dvorák street"
    assert printable("東京") == "??"


def test_weight_is_printed_in_grams_below_a_kilogram_and_in_kilograms_rounded_up_from_there() -> None:
    weights = [format_weight(grams) for grams in (850, 1000, 2350, 12001, 12100)]
    assert weights == ["850 g", "1 kg", "2.35 kg", "12.01 kg", "12.1 kg"]


def test_parcel_position_must_lie_within_the_shipment() -> None:
    with pytest.raises(ValueError):
        a_label(parcel_index=3, parcel_count=2)
    with pytest.raises(ValueError):
        a_slip(parcel_index=0, parcel_count=1)


@pytest.mark.parametrize("number", ["", "1Z999AA1\u00e90123", "NW-1\n2"])
def test_numbers_a_code128_barcode_cannot_carry_are_refused(number: str) -> None:
    with pytest.raises(ValueError, match="Code128"):
        a_label(tracking_number=number)
    with pytest.raises(ValueError, match="Code128"):
        a_slip(order_number=number)


@given(st.text())
def test_printable_text_is_always_drawable_in_helvetica(value: str) -> None:
    shown = printable(value)
    shown.encode("cp1252")  # raises if reportlab would have to draw a black box
    assert not any(char < " " for char in shown)


# Packing slips


@pytest.mark.parametrize(("page_size", "points"), [("A4", (595, 842)), ("Letter", (612, 792))])
def test_packing_slip_is_printed_on_the_chosen_paper(page_size: str, points: tuple[int, int]) -> None:
    (page,) = pages(render_packing_slip_pdf(a_slip(page_size=page_size)))
    assert size(page) == points


def test_packing_slip_barcode_scans_as_the_order_number() -> None:
    (page,) = pages(render_packing_slip_pdf(a_slip()))
    assert barcodes(page) == {zxingcpp.BarcodeFormat.Code128: ["NW-100234"]}


def test_packing_slip_lists_the_parcel_contents_and_recipient() -> None:
    (page,) = pages(render_packing_slip_pdf(a_slip(parcel_index=1, parcel_count=2)))
    printed = text(page)
    for expected in (
        "Northwind Goods",
        "Amelia Hartley",
        "NW-TEE-M-BLK",
        "Organic cotton t-shirt, M, black",
        "Parcel 1 of 2",
        "Placed 2026-11-20",
    ):
        assert expected in printed
    assert "Still to follow" not in printed


def test_items_still_to_follow_are_listed_apart_from_the_parcel_contents() -> None:
    slip = a_slip(still_to_follow=[("NW-MUG-01", "Enamel mug <large> & lid", 3)])
    (page,) = pages(render_packing_slip_pdf(slip))
    printed = text(page)
    assert printed.index("NW-TEE-M-BLK") < printed.index("Still to follow") < printed.index("NW-MUG-01")
    assert "Enamel mug <large> & lid" in printed


def test_long_packing_slip_flows_onto_further_pages_without_losing_a_line() -> None:
    lines = [SlipLine(f"NW-SKU-{n:04d}", f"Catalogue item number {n}", n % 4 + 1) for n in range(1, 121)]
    slip_pages = pages(render_packing_slip_pdf(a_slip(lines=lines, page_size="Letter")))
    assert len(slip_pages) > 2
    assert all(size(page) == (612, 792) for page in slip_pages)
    printed = "\n".join(text(page) for page in slip_pages)
    assert re.findall(r"NW-SKU-\d{4}", printed) == [line.sku for line in lines]
    assert "NW-SKU-0120" in text(slip_pages[-1])
    assert "(continued)" in text(slip_pages[-1])


def test_an_item_too_tall_for_any_page_is_cut_rather_than_looping_forever() -> None:
    slip = a_slip(lines=[SlipLine("NW-BIG", "very long name " * 2000, 1)])
    assert len(pages(render_packing_slip_pdf(slip))) == 1


# Batches


def test_batch_of_labels_has_one_page_per_label_in_order_and_reports_progress() -> None:
    numbers = [f"1Z999AA1012345678{n}" for n in range(5)]
    calls: list[tuple[int, int]] = []
    pdf = render_batch_pdf(
        (a_label(tracking_number=number) for number in numbers),
        progress=lambda done, total: calls.append((done, total)),
    )
    batch_pages = pages(pdf)
    assert [barcodes(page)[zxingcpp.BarcodeFormat.Code128] for page in batch_pages] == [[n] for n in numbers]
    assert all(size(page) == (288, 432) for page in batch_pages)
    assert calls == [(done, 5) for done in range(1, 6)]


def test_batch_keeps_each_documents_own_page_size() -> None:
    pdf = render_batch_pdf([a_label(), a_slip(page_size="Letter"), a_slip(page_size="A4")])
    assert [size(page) for page in pages(pdf)] == [(288, 432), (612, 792), (595, 842)]


def test_the_same_data_renders_to_the_same_bytes() -> None:
    assert render_label_pdf(a_label()) == render_label_pdf(a_label())


# Labels (ZPL)


def zpl_fields(zpl: str) -> list[str]:
    """The field definitions of a ZPL program, each from its ^FO to its ^FS."""
    return re.findall(r"\^FO[^\n]*?\^FS", zpl)


def test_zpl_label_is_one_format_from_start_to_end() -> None:
    zpl = render_label_zpl(a_label())
    assert zpl.startswith("^XA")
    assert zpl.rstrip().endswith("^XZ")
    assert zpl.count("^XA") == zpl.count("^XZ") == 1
    assert "^PW812" in zpl and "^LL1218" in zpl  # 4x6 inch at 203 dpi


def test_zpl_code128_field_carries_the_tracking_number() -> None:
    (field,) = [field for field in zpl_fields(render_label_zpl(a_label())) if "^BC" in field]
    assert field.endswith(f"^FD{UPS_NUMBER}^FS")


def test_zpl_qr_field_carries_the_tracking_page() -> None:
    (field,) = [field for field in zpl_fields(render_label_zpl(a_label())) if "^BQ" in field]
    assert field.endswith(f"^FDMA,{TRACKING_URL}^FS")


def test_carets_and_tildes_in_data_cannot_inject_zpl_commands() -> None:
    hostile = "Eve ^XZ^XA^FO0,0^GB812,1218,812^FS ~JA ~PS"
    zpl = render_label_zpl(
        a_label(
            merchant_name=hostile,
            ship_to=Address(hostile, hostile, "", "Bristol", "", "BS1 4DJ", "United Kingdom"),
            order_number="NW-1^XZ",
        )
    )
    assert "~" not in zpl
    assert zpl.count("^XZ") == 1 and zpl.count("^XA") == 1
    assert "^GB812,1218" not in zpl
    assert "_5EXZ_5EXA" in zpl


@given(st.text())
def test_field_data_is_plain_ascii_without_command_characters(value: str) -> None:
    escaped = field_data(value)
    assert escaped.isascii()
    assert not set(escaped) & {"^", "~", "\n", "\r"}
    unescaped = re.sub(rb"_([0-9A-F]{2})", lambda m: bytes([int(m[1], 16)]), escaped.encode()).decode()
    assert unescaped == " ".join(value.split())
