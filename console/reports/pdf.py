"""PDF renderer: reportlab platypus, rows streamed a page at a time, page furniture on every page.

Page totals and contents page numbers are form XObjects defined at the end: rows are read once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import tzinfo
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from console.reports import document as d
from console.reports.fonts import BOLD, REGULAR, FontSet, font_set
from console.reports.pdf_columns import (
    CELL_PAD,
    CELL_SIZE,
    HASH_NOTE,
    WIDTH_SAMPLE_ROWS,
    column_shares,
    content_widths,
    formatter,
    shorten_hashes,
)
from console.reports.text import normalise_newlines, truncate

TOC_MIN_SECTIONS = 4
# A cell longer than this would make a row taller than a page, which no table can split.
PDF_CELL_LIMIT = 1_500
MARGIN = 15 * mm
HEADER_H = 16 * mm
FOOTER_H = 14 * mm
_LEADING = CELL_SIZE * 1.2
_PAD_TOP = 1.5
_PAD_BOTTOM = 2.0
_CLASSIFICATION_COLOUR = colors.HexColor("#9b1c1c")
_PALETTE = ["#1f5f8b", "#d98c1f", "#3f8f4f", "#8b3f8b", "#8b5a2b", "#5a6b7b"]

_BODY = ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12, spaceAfter=4)
_TITLE = ParagraphStyle("title", parent=_BODY, fontName=BOLD, fontSize=18, leading=23, spaceAfter=8)
_H1 = ParagraphStyle("h1", parent=_BODY, fontName=BOLD, fontSize=13, leading=17, spaceBefore=10)
_H2 = ParagraphStyle("h2", parent=_BODY, fontName=BOLD, fontSize=10, leading=13, spaceBefore=6)
_NOTE = ParagraphStyle("note", parent=_BODY, fontSize=8, leading=10, textColor=colors.dimgrey)
_CELL = ParagraphStyle("cell", fontName=REGULAR, fontSize=CELL_SIZE, leading=_LEADING)
_CELL_RIGHT = ParagraphStyle("cellr", parent=_CELL, alignment=TA_RIGHT)
_HEAD = ParagraphStyle("head", parent=_CELL, fontName=BOLD)


def render_pdf(document: d.Document, out: BinaryIO) -> int:
    """Write document as PDF to out; returns the page count."""
    fonts = font_set()
    widest = max((len(t.columns) for t in document.tables()), default=0)
    pagesize = landscape(A4) if widest > 6 else A4
    doc = _ReportDoc(out, document.meta, fonts, pagesize)
    story = _story(document, fonts, doc.width, doc.height)
    doc.build(story, canvasmaker=doc.make_canvas)
    return doc.pages


# --- page furniture ------------------------------------------------------------------------------


class _ReportCanvas(Canvas):  # type: ignore[misc]
    """Knows the page count at save time and defines the forms that every page already shows."""

    def __init__(self, *args: Any, fonts: FontSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fonts = fonts
        self.pages = 0
        self.section_pages: dict[int, int] = {}
        self.addPageLabel(0, style="D", start=1)

    def showPage(self) -> None:
        self.pages += 1
        super().showPage()

    def save(self) -> None:
        _define_number(self, "pageTotal", self.pages, 7)
        for index, page in self.section_pages.items():
            _define_number(self, f"toc{index}", page, 9, right=True)
        super().save()


def _define_number(canv: Canvas, name: str, number: int, size: float, right: bool = False) -> None:
    canv.beginForm(name, lowerx=-200, lowery=-5, upperx=200, uppery=20)
    canv.setFont(REGULAR, size)
    if right:
        canv.drawRightString(0, 0, str(number))
    else:
        canv.drawString(0, 0, str(number))
    canv.endForm()


class _ReportDoc(BaseDocTemplate):  # type: ignore[misc]
    def __init__(
        self, out: BinaryIO, meta: d.ReportMeta, fonts: FontSet, pagesize: tuple[float, float]
    ) -> None:
        super().__init__(
            out,
            pagesize=pagesize,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + HEADER_H,
            bottomMargin=MARGIN + FOOTER_H,
            title=meta.title,
            author=meta.organisation if meta.audience == "recipient" else meta.generated_by,
            subject=f"{meta.report_name} — {meta.classification}",
            creator=f"Privacy Ops Console {meta.app_version}",
            keywords=[meta.report_name, meta.organisation],
        )
        self.meta = meta
        self.fonts = fonts
        self.pages = 0
        self._canvas: _ReportCanvas | None = None
        self._utc, self._local = _times(meta)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._decorate)])

    def make_canvas(self, *args: Any, **kwargs: Any) -> _ReportCanvas:
        self._canvas = _ReportCanvas(*args, fonts=self.fonts, **kwargs)
        return self._canvas

    def _endBuild(self) -> None:
        super()._endBuild()
        if self._canvas is not None:
            self.pages = self._canvas.pages

    def _decorate(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        meta, w, h = self.meta, self.pagesize[0], self.pagesize[1]
        left, right = MARGIN, w - MARGIN
        top = h - MARGIN
        canv.saveState()
        half = (right - left) / 2 - 6
        self._text(canv, left, top - 9, meta.organisation, 9, half, bold=True)
        canv.setFillColor(_CLASSIFICATION_COLOUR)
        self._text(canv, right, top - 9, meta.classification, 9, half, bold=True, align="right")
        canv.setFillColor(colors.black)
        self._text(canv, left, top - 21, meta.title, 8, right - left)
        canv.setStrokeColor(colors.grey)
        canv.setLineWidth(0.5)
        canv.line(left, top - HEADER_H + 8, right, top - HEADER_H + 8)

        bottom = MARGIN
        canv.line(left, bottom + FOOTER_H - 4, right, bottom + FOOTER_H - 4)
        if meta.audience == "recipient":
            # The person it is addressed to reads the reference (the first parameter), not how
            # the console made it.
            reference = " · ".join([meta.organisation, *meta.parameters.values()][:2])
            self._text(canv, left, bottom + FOOTER_H - 14, reference, 7, right - left - 70)
        else:
            generated = f"Generated by {meta.generated_by} at {self._utc} ({self._local})"
            self._text(canv, left, bottom + FOOTER_H - 14, generated, 7, right - left - 70)
            chain = (
                f"Privacy Ops Console {meta.app_version} · Audit chain head {meta.chain_head_text}"
            )
            self._text(canv, left, bottom + FOOTER_H - 24, chain, 7, right - left - 70)
        page = f"Page {canv.getPageNumber()} of "
        x = right - 62
        canv.setFont(REGULAR, 7)
        canv.drawString(x, bottom + FOOTER_H - 14, page)
        canv.saveState()
        canv.translate(x + self.fonts.width(page, 7), bottom + FOOTER_H - 14)
        canv.doForm("pageTotal")
        canv.restoreState()
        canv.restoreState()

    def _text(
        self,
        canv: Canvas,
        x: float,
        y: float,
        text: str,
        size: float,
        max_width: float,
        bold: bool = False,
        align: str = "left",
    ) -> None:
        text = " ".join(normalise_newlines(text).split())
        # Shrink a little before cutting: a cut organisation name is worse than a small one.
        while self.fonts.width(text, size, bold) > max_width and size > 6:
            size -= 0.5
        if self.fonts.width(text, size, bold) > max_width:
            while text and self.fonts.width(text + "…", size, bold) > max_width:
                text = text[:-1]
            text += "…"
        runs = self.fonts.runs(text, bold)
        total = sum(canv.stringWidth(p, f, size) for f, p in runs)
        if align == "right":
            x -= total
        for font, piece in runs:
            canv.setFont(font, size)
            canv.drawString(x, y, piece)
            x += canv.stringWidth(piece, font, size)


def _times(meta: d.ReportMeta) -> tuple[str, str]:
    at = meta.generated_at
    utc = d.utc_naive(at).strftime("%Y-%m-%d %H:%M:%S UTC")
    zone: tzinfo | None = None
    if meta.local_tz:
        try:
            zone = ZoneInfo(meta.local_tz)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
    local = at.astimezone(zone)
    label = meta.local_tz or local.tzname() or "local"
    return utc, f"{local.strftime('%Y-%m-%d %H:%M:%S')} {label}"


# --- the story -----------------------------------------------------------------------------------


def _story(document: d.Document, fonts: FontSet, width: float, height: float) -> list[Flowable]:
    meta = document.meta
    story: list[Flowable] = [RLParagraph(fonts.markup(meta.title, bold=True), _TITLE)]
    if meta.audience == "recipient":
        story.append(_key_values(list(meta.parameters.items()), fonts, width))
        for index, section in enumerate(document.sections):
            if section.heading:  # a letter's body is one section without a heading
                story.append(CondPageBreak(height * 0.2))
                story.append(_Heading(index, section.heading, fonts))
            for block in section.blocks:
                story.extend(_block(block, fonts, width, height))
        return story
    facts = [
        ("Report", meta.report_name),
        ("Organisation", meta.organisation),
        ("Classification", meta.classification),
        ("Generated by", meta.generated_by),
        ("Generated at", " / ".join(_times(meta))),
        ("Application version", meta.app_version),
        ("Audit chain head", meta.chain_head_text),
    ]
    story.append(_key_values(facts, fonts, width))
    story.append(RLParagraph(fonts.markup("Parameters", bold=True), _H2))
    params = list(meta.parameters.items()) or [("(none)", "")]
    story.append(_key_values(params, fonts, width))
    if len(document.sections) >= TOC_MIN_SECTIONS:
        story.append(RLParagraph(fonts.markup("Contents", bold=True), _H1))
        story.append(_contents(document.sections, fonts, width))
    for index, section in enumerate(document.sections):
        story.append(CondPageBreak(height * 0.2))
        if section.heading:  # an untitled section (an introduction) has no heading to list
            story.append(_Heading(index, section.heading, fonts))
        for block in section.blocks:
            story.extend(_block(block, fonts, width, height))
    return story


def _key_values(pairs: Sequence[tuple[str, str]], fonts: FontSet, width: float) -> RLTable:
    rows = [
        [RLParagraph(fonts.markup(k, bold=True), _CELL), RLParagraph(fonts.markup(v), _CELL)]
        for k, v in pairs
    ]
    table = RLTable(rows, colWidths=[width * 0.28, width * 0.72], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


class _Heading(RLParagraph):  # type: ignore[misc]
    """A section heading that records its page for the contents and adds a PDF outline entry."""

    def __init__(self, index: int, text: str, fonts: FontSet) -> None:
        super().__init__(fonts.markup(text, bold=True), _H1)
        self._index = index
        self._plain = text

    def draw(self) -> None:
        super().draw()
        canv = self.canv
        key = f"section{self._index}"
        canv.bookmarkHorizontal(key, 0, self.height)
        canv.addOutlineEntry(self._plain, key, level=0)
        if isinstance(canv, _ReportCanvas):
            canv.section_pages[self._index] = canv.getPageNumber()


class _PageRef(Flowable):  # type: ignore[misc]
    """The page number of a section, drawn from a form that the canvas defines at the end."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self._index = index

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, 10

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.translate(self.width, 1)
        self.canv.doForm(f"toc{self._index}")
        self.canv.restoreState()
        self.canv.linkRect("", f"section{self._index}", (0, 0, self.width, 10), relative=1)


def _contents(sections: Sequence[d.Section], fonts: FontSet, width: float) -> RLTable:
    titled = [(i, s) for i, s in enumerate(sections) if s.heading]
    rows = [
        [RLParagraph(fonts.markup(f"{n}. {s.heading}"), _BODY), _PageRef(i)]
        for n, (i, s) in enumerate(titled, start=1)
    ]
    table = RLTable(rows, colWidths=[width * 0.85, width * 0.1], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    return table


def _block(block: d.Block, fonts: FontSet, width: float, height: float) -> list[Flowable]:
    if isinstance(block, d.Paragraph):
        return [RLParagraph(fonts.markup(normalise_newlines(block.text)), _BODY)]
    if isinstance(block, d.Note):
        return [RLParagraph(fonts.markup("Note: " + normalise_newlines(block.text)), _NOTE)]
    if isinstance(block, d.KeyValues):
        return [_key_values(block.pairs, fonts, width), Spacer(1, 4)]
    if isinstance(block, d.Table):
        return [
            CondPageBreak(height * 0.1),
            RLParagraph(fonts.markup(block.name, bold=True), _H2),
            _StreamTable(block, fonts, width, height),
        ]
    return _chart(block, fonts, width)


# --- streamed tables -----------------------------------------------------------------------------


# A digest (SHA-256 and the like) is shortened in PDF cells: 64 hex characters wrap over five
# lines of a narrow column. The XLSX export and the manifest keep every value whole.
class _Line(Flowable):  # type: ignore[misc]
    """One line of mixed-font runs: what a Paragraph would draw, without parsing markup."""

    def __init__(self, runs: list[tuple[str, str]], width: float, right: bool) -> None:
        super().__init__()
        self._runs = runs
        self._text_width = width
        self._right = right
        self.width = width

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, _LEADING

    def draw(self) -> None:
        x = self.width - self._text_width if self._right else 0.0
        for face, piece in self._runs:
            self.canv.setFont(face, CELL_SIZE)
            self.canv.drawString(x, _LEADING - CELL_SIZE, piece)
            x += pdfmetrics.stringWidth(piece, face, CELL_SIZE)


class _StreamTable(Flowable):  # type: ignore[misc]
    """Pulls rows only when platypus asks for the next page of them, so memory stays flat.

    It never fits (wrap asks for more than there is), so platypus always calls split(), which
    returns a table of as many rows as fit the space left, under a repeated header, and itself.
    """

    def __init__(self, table: d.Table, fonts: FontSet, width: float, height: float) -> None:
        super().__init__()
        self._table = table
        self._fonts = fonts
        self._formats = [formatter(c.kind) for c in table.columns]
        self.shortened = False
        rows = iter(table.rows)
        sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
        self._rows: Iterator[Sequence[object]] = itertools.chain(sample, rows)
        if sample:
            texts = [
                [self._show(i, v) for i, v in enumerate(row)]
                for row in sample
                if len(row) == len(table.columns)
            ]
            self.shortened = False  # counted again as the rows are drawn
            headers = [c.header for c in table.columns]
            kinds = [c.kind for c in table.columns]
            self._widths = content_widths(headers, texts, width, kinds)
        else:
            self._widths = column_shares(table.columns, width)
        self._right = [c.kind in ("int", "float") for c in table.columns]
        self._max_cell_h = height * 0.6
        self._header = [self._cell(i, c.header, _HEAD) for i, c in enumerate(table.columns)]
        self._header_h = self._row_height(self._header)
        self._style = TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, CELL_SIZE, _LEADING),
                ("FONT", (0, 0), (-1, 0), BOLD, CELL_SIZE, _LEADING),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf0")),
                ("TOPPADDING", (0, 0), (-1, -1), _PAD_TOP),
                ("BOTTOMPADDING", (0, 0), (-1, -1), _PAD_BOTTOM),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
                *[("ALIGN", (i, 0), (i, -1), "RIGHT") for i, r in enumerate(self._right) if r],
            ]
        )
        self._carry: tuple[list[object], float] | None = None
        self.count = 0
        self._finished = False

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return avail_width, avail_height + 1

    def draw(self) -> None:  # pragma: no cover - platypus never draws a flowable that never fits
        pass

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        if self._finished:
            return []
        room = avail_height - self._header_h - 1
        data: list[list[object]] = [self._header]
        used = 0.0
        while True:
            row = self._carry or self._next_row()
            if row is None:
                break
            cells, h = row
            if used + h > room:
                self._carry = row
                break
            self._carry = None
            data.append(cells)
            used += h
        if len(data) == 1:
            if self._carry is not None:
                return []  # not even one row fits here: platypus moves on to a new page
            self._finished = True
            return self._ending()
        table = RLTable(data, colWidths=self._widths, repeatRows=1, style=self._style)
        # platypus marks a flowable that did not fit as postponed and fails if it does not fit
        # again; we fit on every new page, but are never drawn, so the mark is never cleared.
        self.__dict__.pop("_postponed", None)
        if self._carry is None:
            return [table, *self._ending()]
        return [table, self]

    def _ending(self) -> list[Flowable]:
        self._finished = True
        if self.count == 0:
            ending = [RLParagraph(self._fonts.markup("No rows."), _NOTE)]
        else:
            noun = "row" if self.count == 1 else "rows"
            ending = [RLParagraph(self._fonts.markup(f"{self.count:,} {noun}"), _NOTE)]
        if self._table.note:
            ending.append(RLParagraph(self._fonts.markup(self._table.note), _NOTE))
        if self.shortened:
            ending.append(RLParagraph(self._fonts.markup(HASH_NOTE), _NOTE))
        return ending

    def _show(self, index: int, value: object) -> str:
        text = self._formats[index](value)
        if isinstance(value, str):
            short = shorten_hashes(text)
            if short != text:
                self.shortened = True
                return short
        return text

    def _next_row(self) -> tuple[list[object], float] | None:
        row = next(self._rows, None)
        if row is None:
            return None
        ncols = len(self._widths)
        self.count += 1
        if len(row) != ncols:
            raise ValueError(
                f"table {self._table.name!r} row {self.count} has {len(row)} values "
                f"for {ncols} columns"
            )
        style = _CELL
        cells = []
        for i, value in enumerate(row):
            style = _CELL_RIGHT if self._right[i] else _CELL
            cells.append(self._cell(i, self._show(i, value), style))
        return cells, self._row_height(cells)

    def _cell(self, index: int, text: str, style: ParagraphStyle) -> object:
        fonts = self._fonts
        inner = self._widths[index] - 2 * CELL_PAD
        # Plain strings are drawn by the table itself, far faster than a Paragraph per cell.
        bold = style is _HEAD
        if fonts.is_plain(text, bold):
            face = BOLD if bold else REGULAR
            if pdfmetrics.stringWidth(text, face, CELL_SIZE) <= inner:
                return text
        if "\n" not in text and "\r" not in text and len(text) < 200:
            runs = fonts.runs(text, bold)
            width = sum(pdfmetrics.stringWidth(piece, face, CELL_SIZE) for face, piece in runs)
            if width <= inner:
                return _Line(runs, width, style.alignment == TA_RIGHT)
        text = truncate(normalise_newlines(text), PDF_CELL_LIMIT)
        para = RLParagraph(fonts.markup(text, bold), style)
        limit = len(text)
        while para.wrap(inner, self._max_cell_h * 4)[1] > self._max_cell_h and limit > 40:
            # Rare: a narrow column with a long text. Cut until the row fits on a page.
            limit = limit * 2 // 3
            para = RLParagraph(fonts.markup(truncate(text, limit), bold), style)
        return para

    def _row_height(self, cells: Sequence[object]) -> float:
        tallest = _LEADING
        for i, cell in enumerate(cells):
            if isinstance(cell, RLParagraph):
                tallest = max(tallest, cell.wrap(self._widths[i] - 2 * CELL_PAD, 1e6)[1])
        return tallest + _PAD_TOP + _PAD_BOTTOM


# --- charts --------------------------------------------------------------------------------------


def _chart(chart: d.BarChart, fonts: FontSet, width: float) -> list[Flowable]:
    out: list[Flowable] = [RLParagraph(fonts.markup(chart.title, bold=True), _H2)]
    if not chart.categories or not chart.series:
        return [*out, RLParagraph(fonts.markup("No data."), _NOTE)]
    drawing = Drawing(width, 190)
    bar = VerticalBarChart()
    bar.x, bar.y, bar.width, bar.height = 40, 45, width - 170, 135
    bar.data = [list(values) for values in chart.series.values()]
    bar.valueAxis.valueMin = 0
    bar.valueAxis.labels.fontName = REGULAR
    bar.valueAxis.labels.fontSize = 7
    names = []
    for i, category in enumerate(chart.categories):
        font, text = fonts.single_font(category)
        bar.categoryAxis.labels[i].fontName = font
        names.append(text)
    bar.categoryAxis.categoryNames = names
    bar.categoryAxis.labels.fontSize = 7
    if len(names) > 8:
        bar.categoryAxis.labels.angle = 45
        bar.categoryAxis.labels.boxAnchor = "ne"
    legend = Legend()
    legend.x, legend.y = width - 120, 170
    legend.fontName, legend.fontSize = REGULAR, 7
    pairs = []
    for i, name in enumerate(chart.series):
        colour = colors.HexColor(_PALETTE[i % len(_PALETTE)])
        bar.bars[i].fillColor = colour
        pairs.append((colour, fonts.single_font(name)[1]))
    legend.colorNamePairs = pairs
    drawing.add(bar)
    drawing.add(legend)
    out.append(drawing)
    # The figures themselves, for readers (and text extraction) that cannot read bar heights.
    columns = [d.Column("Category"), *[d.Column(n, "float", 8) for n in chart.series]]
    values = list(chart.series.values())
    rows = [[c, *[v[i] for v in values]] for i, c in enumerate(chart.categories)]
    out.append(_StreamTable(d.Table(chart.title, columns, rows), fonts, width, 10_000))
    return out
