"""The produced records as a PDF with one page per record, each page stamped with its production
number (Bates numbering) — the number the record's row carries in the XLSX.

It uses the report engine's fonts so every script renders; it sits beside the production service
because the engine's page furniture has no per-page number stamp.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepInFrame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from console.reports.fonts import BOLD, REGULAR, font_set
from console.reports.text import normalise_newlines, truncate

MARGIN = 15 * mm
_CELL_LIMIT = 1_500
_BODY = ParagraphStyle("bates-body", fontName=REGULAR, fontSize=8, leading=10)
_HEAD = ParagraphStyle("bates-head", fontName=BOLD, fontSize=12, leading=15, spaceAfter=6)


@dataclass(frozen=True)
class BatesPage:
    number: str  # e.g. CP-000001
    title: str  # e.g. "CRM export, row 12"
    fields: Sequence[tuple[str, str]]


class _Doc(BaseDocTemplate):  # type: ignore[misc]
    def __init__(
        self, out: BinaryIO, header: str, classification: str, numbers: Sequence[str]
    ) -> None:
        super().__init__(
            out,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + 10 * mm,
            bottomMargin=MARGIN + 10 * mm,
            title=header,
            subject=classification,
            creator="Privacy Ops Console",
        )
        self.header = header
        self.classification = classification
        self.numbers = numbers
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._stamp)])

    def _stamp(self, canv: Canvas, doc: Any) -> None:
        fonts = font_set()
        w, h = self.pagesize
        page = canv.getPageNumber()
        number = self.numbers[page - 1] if page <= len(self.numbers) else self.numbers[-1]
        canv.saveState()
        _draw(canv, fonts, MARGIN, h - MARGIN - 4, self.header, 8)
        canv.setFillColor(colors.HexColor("#9b1c1c"))
        _draw(canv, fonts, w - MARGIN, h - MARGIN - 4, self.classification, 8, right=True)
        canv.setFillColor(colors.black)
        canv.setFont(BOLD, 11)
        canv.drawRightString(w - MARGIN, MARGIN, number)
        canv.setFont(REGULAR, 7)
        canv.drawString(MARGIN, MARGIN, f"Page {page} of {len(self.numbers)}")
        canv.restoreState()


def _draw(
    canv: Canvas, fonts: Any, x: float, y: float, text: str, size: float, right: bool = False
) -> None:
    runs = fonts.runs(" ".join(text.split()))
    if right:
        x -= sum(canv.stringWidth(p, f, size) for f, p in runs)
    for font, piece in runs:
        canv.setFont(font, size)
        canv.drawString(x, y, piece)
        x += canv.stringWidth(piece, font, size)


def render_bates_pdf(
    out: BinaryIO, pages: Sequence[BatesPage], *, header: str, classification: str
) -> int:
    """Write one page per record; a record too long for a page is shrunk, never split."""
    if not pages:
        raise ValueError("a production has at least one record")
    fonts = font_set()
    doc = _Doc(out, header, classification, [p.number for p in pages])
    story: list[Any] = []
    for i, page in enumerate(pages):
        rows = [
            [
                Paragraph(fonts.markup(k, bold=True), _BODY),
                Paragraph(fonts.markup(truncate(normalise_newlines(v), _CELL_LIMIT)), _BODY),
            ]
            for k, v in page.fields
        ]
        table = Table(rows or [["", ""]], colWidths=[doc.width * 0.3, doc.width * 0.7])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ]
            )
        )
        content = [
            Paragraph(fonts.markup(f"{page.number} — {page.title}", bold=True), _HEAD),
            table,
        ]
        story.append(KeepInFrame(doc.width, doc.height, content, mode="shrink"))
        if i < len(pages) - 1:
            story.append(PageBreak())
    doc.build(story)
    return len(pages)
