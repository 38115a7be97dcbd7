"""Many labels or slips as one PDF, to print a day's fulfilment in one job.

Every document is drawn onto the same canvas, so the result is one PDF with shared
resources (fonts, the document catalogue), not PDF files glued together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from io import BytesIO

from ordertrack.documents.drawing import pdf_canvas
from ordertrack.documents.label import LABEL_PAGE, draw_label
from ordertrack.documents.model import LabelData, PackingSlipData
from ordertrack.documents.packing_slip import draw_packing_slip

Document = LabelData | PackingSlipData
Progress = Callable[[int, int], None]


def render_batch_pdf(documents: Iterable[Document], progress: Progress | None = None) -> bytes:
    """All ``documents`` in order in one PDF; ``progress(done, total)`` is called after each.

    A label takes one 4x6 page; a packing slip takes as many pages of its own size as it needs.
    """
    documents = list(documents)  # the total is needed before the first one is drawn
    buffer = BytesIO()
    canvas = pdf_canvas(buffer, LABEL_PAGE, f"{len(documents)} fulfilment documents")
    for done, document in enumerate(documents, start=1):
        if isinstance(document, LabelData):
            draw_label(canvas, document)
        else:
            draw_packing_slip(canvas, document)
        canvas.showPage()
        if progress is not None:
            progress(done, len(documents))
    canvas.save()
    return buffer.getvalue()
