"""Fonts embedded in PDF reports, chosen per character so any script renders and nothing drops.

Arabic and Hebrew are shaped and put in visual order here, because reportlab draws left to right.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from console.paths import resource_path
from console.reports.text import make_visible

REGULAR = "ConsoleSans"
BOLD = "ConsoleSans-Bold"
CJK = "ConsoleCJK"


@dataclass(frozen=True)
class _Face:
    name: str
    file: str
    subfont: int = 0


_PRIMARY = {False: _Face(REGULAR, "DejaVuSans.ttf"), True: _Face(BOLD, "DejaVuSans-Bold.ttf")}
# One fallback face for both weights: there is no bold CJK face worth 5 MB more.
_FALLBACKS = (_Face(CJK, "wqy-microhei.ttc"),)

_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_ARABIC_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
_RESHAPER = arabic_reshaper.ArabicReshaper(
    configuration={
        # Harakat are characters of the text: keep them, placed for reversed drawing.
        "delete_harakat": False,
        "shift_harakat_position": True,
        # DejaVu has the lam-alef ligatures but not the word ligatures.
        "ARABIC LIGATURE ALLAH": False,
    }
)

Run = tuple[str, str]  # (font name, text)


class FontSet:
    """Registers the report fonts once and splits text into runs by the font that has each glyph."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[str, frozenset[int]] = {}
        for face in _PRIMARY.values():
            self._load(face)
        self._choice: dict[tuple[str, bool], str | None] = {}

    def _load(self, face: _Face) -> frozenset[int]:
        with self._lock:
            cmap = self._loaded.get(face.name)
            if cmap is None:
                path = resource_path("fonts", face.file)
                font = TTFont(face.name, str(path), subfontIndex=face.subfont)
                pdfmetrics.registerFont(font)
                cmap = frozenset(font.face.charToGlyph)
                self._loaded[face.name] = cmap
            return cmap

    def font_for(self, char: str, bold: bool = False) -> str | None:
        """The first face that has a glyph for char, or None when none has."""
        key = (char, bold)
        if key in self._choice:
            return self._choice[key]
        code = ord(char)
        primary = _PRIMARY[bold]
        found: str | None = None
        if code in self._load(primary):
            found = primary.name
        else:
            # Fallback faces are big: load them only when a document needs them.
            for face in _FALLBACKS:
                if code in self._load(face):
                    found = face.name
                    break
        self._choice[key] = found
        return found

    def runs(self, text: str, bold: bool = False) -> list[Run]:
        """Text in visual order as (font, text) runs; characters no face has are shown as codes."""
        primary = _PRIMARY[bold].name
        if text.isascii():
            return [(primary, make_visible(text))] if text else []
        text = make_visible(text)
        if _RTL.search(text):
            text = visual_order(text)
        runs: list[Run] = []
        current: str | None = None
        buf: list[str] = []
        for char in text:
            for piece, font in self._glyphs(char, bold):
                if font != current and buf:
                    runs.append((current or primary, "".join(buf)))
                    buf = []
                current = font
                buf.append(piece)
        if buf:
            runs.append((current or primary, "".join(buf)))
        return runs

    def _glyphs(self, char: str, bold: bool) -> list[tuple[str, str]]:
        # (piece, font) pairs: usually the char itself, else its plain letters or a visible code.
        font = self.font_for(char, bold)
        if font is not None:
            return [(char, font)]
        if unicodedata.category(char) == "Cf" or 0xFE00 <= ord(char) <= 0xFE0F:
            # Format controls and variation selectors have no glyph in any font by definition.
            return []
        # A compatibility form (ligature, full-width letter) can be drawn as its plain letters.
        plain = unicodedata.normalize("NFKC", char)
        if _ARABIC_PRESENTATION.match(char):
            plain = plain[::-1]  # already in visual order
        if plain != char and plain and all(self.font_for(c, bold) for c in plain):
            return [(c, self.font_for(c, bold) or "") for c in plain]
        primary = _PRIMARY[bold].name
        return [(f"[U+{ord(char):04X}]", primary)]

    def markup(self, text: str, bold: bool = False) -> str:
        """Paragraph markup for text: escaped, one <font> per run, line breaks kept."""
        parts = []
        for font, piece in self.runs(text, bold):
            body = escape(piece).replace("\n", "<br/>").replace("\t", "    ")
            parts.append(f'<font name="{font}">{body}</font>')
        return "".join(parts)

    def single_font(self, text: str, bold: bool = False) -> tuple[str, str]:
        """One (font, text) for places that take one font only, such as chart labels."""
        runs = self.runs(text, bold)
        fonts = {font for font, _ in runs}
        if len(fonts) <= 1:
            return (runs[0][0] if runs else _PRIMARY[bold].name), "".join(p for _, p in runs)
        # Mixed scripts in one label: the face that covers most of it, the rest as codes.
        best = max(fonts, key=lambda f: sum(len(p) for font, p in runs if font == f))
        out = "".join(
            p if font == best else "".join(f"[U+{ord(c):04X}]" for c in p) for font, p in runs
        )
        return best, out

    def width(self, text: str, size: float, bold: bool = False) -> float:
        total = 0.0
        for font, piece in self.runs(text, bold):
            total += float(pdfmetrics.stringWidth(piece, font, size))
        return total

    def is_plain(self, text: str, bold: bool = False) -> bool:
        """True when text draws in the primary face as it is (no shaping, codes or fallback)."""
        if text.isascii():
            return text.isprintable()
        if _RTL.search(text):
            return False
        cmap = self._loaded[_PRIMARY[bold].name]
        return all(ord(c) in cmap for c in text) and text.isprintable()


def visual_order(text: str) -> str:
    """Shape Arabic and reorder right-to-left runs, line by line, for left-to-right drawing."""
    return "\n".join(get_display(_RESHAPER.reshape(line)) for line in text.split("\n"))


@lru_cache(maxsize=1)
def font_set() -> FontSet:
    """The process-wide font set: reportlab's font registry is global anyway."""
    return FontSet()
