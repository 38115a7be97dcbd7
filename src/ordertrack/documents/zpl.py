"""The 4x6 inch shipping label as ZPL II, for Zebra-compatible thermal printers at 203 dpi.

The same layout as the PDF label. Every piece of data goes into the printer through
``field_data``: with ``^FH`` each ``^``, ``~``, ``_`` and any non-ASCII byte is sent as a
``_xx`` hex escape, so nothing in an address or an order number can end a field or start a
command, and the output stays plain ASCII whatever the printer's code page.
"""

from __future__ import annotations

import re

from ordertrack.documents.label import format_weight
from ordertrack.documents.model import Address, LabelData

DOTS_PER_INCH = 203
LABEL_WIDTH = 4 * DOTS_PER_INCH  # 812 dots
LABEL_LENGTH = 6 * DOTS_PER_INCH  # 1218 dots
_MARGIN = 30
_INNER = LABEL_WIDTH - 2 * _MARGIN

# Font 0 glyphs average a little over half their height in width; used to cut text to fit.
_FONT0_WIDTH_PER_HEIGHT = 0.58

# Printable ASCII that needs no escape: ^ and ~ start commands, _ is the ^FH escape itself.
_PLAIN = frozenset(chr(code) for code in range(0x20, 0x7F)) - {"^", "~", "_"}


def render_label_zpl(data: LabelData) -> str:
    """One label as a ZPL II program, ``^XA`` to ``^XZ``."""
    commands = [
        "^XA",
        "^CI28",  # field data is UTF-8 (here: ASCII with UTF-8 bytes hex-escaped)
        f"^PW{LABEL_WIDTH}",
        f"^LL{LABEL_LENGTH}",
        "^LH0,0",
        *_sender_and_carrier(data),
        _rule(200),
        *_recipient(data.ship_to, top=222),
        _rule(555),
        *_tracking_barcode(data.tracking_number, top=590),
        _rule(870),
        *_order_and_tracking_page(data, top=895),
        "^XZ",
    ]
    return "\n".join(commands) + "\n"


def field_data(text: str) -> str:
    """``text`` as ``^FH`` field data: the characters ZPL would act on become ``_xx`` escapes."""
    text = " ".join(text.split())  # a newline would not print; keep the words apart
    return "".join(
        char if char in _PLAIN else "".join(f"_{byte:02X}" for byte in char.encode("utf-8")) for char in text
    )


def _text(x: int, y: int, text: str, *, height: int, width: int = _INNER, align: str = "L") -> str:
    """A one-line text field, cut with ``...`` so it never runs past ``width`` dots."""
    most = max(4, int(width / (height * _FONT0_WIDTH_PER_HEIGHT)))
    text = " ".join(text.split())
    if len(text) > most:
        text = text[: most - 3].rstrip() + "..."
    # ^FB gives the field a width, so right and centre alignment work; one line only.
    return f"^FO{x},{y}^A0N,{height},{height}^FB{width},1,0,{align}^FH^FD{field_data(text)}^FS"


def _sender_and_carrier(data: LabelData) -> list[str]:
    left_width, right_width = 400, 340
    right = LABEL_WIDTH - _MARGIN - right_width
    sender = [
        _text(_MARGIN, 30, "FROM", height=20, width=left_width),
        _text(_MARGIN, 55, data.ship_from.name, height=26, width=left_width),
    ] + [
        _text(_MARGIN, 86 + 26 * row, line, height=22, width=left_width)
        for row, line in enumerate(data.ship_from.printed_lines()[:4])
    ]
    carrier = [
        _text(right, 30, data.carrier.upper(), height=44, width=right_width, align="R"),
        _text(right, 80, data.service, height=24, width=right_width, align="R"),
        _text(right, 110, format_weight(data.weight_grams), height=26, width=right_width, align="R"),
        _text(
            right,
            145,
            f"PARCEL {data.parcel_index} OF {data.parcel_count}",
            height=34,
            width=right_width,
            align="R",
        ),
    ]
    return sender + carrier


def _recipient(ship_to: Address, top: int) -> list[str]:
    return [
        _text(_MARGIN, top, "SHIP TO", height=22),
        _text(_MARGIN, top + 30, ship_to.name, height=50),
    ] + [
        _text(_MARGIN, top + 92 + 48 * row, line, height=40)
        for row, line in enumerate(ship_to.printed_lines()[:4])
    ]


def _tracking_barcode(tracking_number: str, top: int) -> list[str]:
    # The widest narrow bar (3, 2 or 1 dots) at which the symbol and its quiet zones fit.
    modules = code128_modules(tracking_number)
    module = next((dots for dots in (3, 2) if (modules + 20) * dots <= _INNER), 1)
    left = _MARGIN + max(0, (_INNER - modules * module) // 2)
    # Mode A (automatic) lets the printer pick the code sets, so a ``>`` in the data is data,
    # not a code set switch as in mode N (ZPL II Programming Guide, ^BC).
    return [
        f"^BY{module},3,200",
        f"^FO{left},{top}^BCN,200,Y,N,N,A^FH^FD{field_data(tracking_number)}^FS",
    ]


def code128_modules(value: str) -> int:
    """Width of ``value`` as Code128 in modules, packing runs of four or more digits in pairs.

    Good enough to size and centre the symbol; the printer does the real encoding.
    """
    modules = 35  # start (11), check (11) and stop (13) symbols
    for run in re.findall(r"\d{4,}|\D+|\d{1,3}", value):
        if run.isdigit() and len(run) >= 4:
            modules += 11 * (len(run) // 2 + len(run) % 2 + 1)  # pairs, an odd digit, the switch
        else:
            modules += 11 * len(run)
    return modules


def _order_and_tracking_page(data: LabelData, top: int) -> list[str]:
    # QR magnification: dots per module. Longer URLs need a larger symbol version, so shrink
    # the modules to keep it inside the bottom band.
    magnification = 6 if len(data.tracking_url) <= 60 else 4 if len(data.tracking_url) <= 150 else 3
    text_width = 450
    return [
        _text(_MARGIN, top, "ORDER", height=22, width=text_width),
        _text(_MARGIN, top + 28, data.order_number, height=40, width=text_width),
        _text(_MARGIN, top + 76, data.merchant_name, height=24, width=text_width),
        _text(_MARGIN, top + 150, "Track this parcel:", height=22, width=text_width),
        _text(_MARGIN, top + 178, data.tracking_url, height=20, width=text_width),
        # ^BQ field data: error correction M, automatic input mode, then the URL.
        f"^FO{LABEL_WIDTH - _MARGIN - 260},{top - 10}^BQN,2,{magnification}"
        f"^FH^FDMA,{field_data(data.tracking_url)}^FS",
    ]


def _rule(y: int) -> str:
    return f"^FO{_MARGIN},{y}^GB{_INNER},3,3^FS"
