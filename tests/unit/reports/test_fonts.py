"""Per-character font choice: every script gets a face that has it, nothing is dropped."""

from __future__ import annotations

from console.reports.fonts import BOLD, CJK, REGULAR, font_set, visual_order

from .conftest import LTR_WORDS, RTL_WORDS


def test_every_sample_script_has_an_embedded_face() -> None:
    fonts = font_set()
    for word in LTR_WORDS + RTL_WORDS:
        for char in visual_order(word):
            assert fonts.font_for(char) is not None, char


def test_cjk_text_falls_back_to_the_cjk_face_and_latin_stays_in_the_main_one() -> None:
    runs = font_set().runs("Name: 王小明 / 한국어")
    assert runs == [(REGULAR, "Name: "), (CJK, "王小明"), (REGULAR, " / "), (CJK, "한국어")]


def test_bold_runs_use_the_bold_face() -> None:
    assert font_set().runs("Ünïcode", bold=True) == [(BOLD, "Ünïcode")]


def test_arabic_is_shaped_and_mirrored_for_left_to_right_drawing() -> None:
    shown = visual_order("عربي")
    # Presentation forms (joined letters), last letter first.
    assert shown == "\ufef2\ufe91\ufeae\ufecb"


def test_a_character_no_face_has_is_shown_as_its_code() -> None:
    runs = font_set().runs("ok 🙂")
    assert "".join(text for _, text in runs) == "ok [U+1F642]"


def test_markup_escapes_xml_and_keeps_line_breaks() -> None:
    markup = font_set().markup("<b>&\nnext")
    assert markup == f'<font name="{REGULAR}">&lt;b&gt;&amp;<br/>next</font>'
