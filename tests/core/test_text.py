import os

from calmtune.ui.text import printable


def test_printable_escapes_terminal_control_codes():
    assert printable("a\x1b[31mred\x07") == "a\\x1b[31mred\\x07"
    assert printable("line\r\nnext") == "line\\x0d\\x0anext"


def test_printable_keeps_markup_and_unicode_as_text():
    assert printable("[bold]x[/]") == "[bold]x[/]"
    assert printable("Café — 夜") == "Café — 夜"


def test_printable_shows_undecodable_file_name_bytes():
    name = os.fsdecode(b"caf\xe9.mp3")
    assert printable(name) == "caf\\xe9.mp3"


def test_printable_none_is_empty():
    assert printable(None) == ""


def test_printable_escapes_c1_controls_and_bidi_overrides():
    # U+009B is CSI (an escape sequence in one character); U+202E turns what follows around.
    assert printable("a\x9b2Jb") == "a\\x9b2Jb"
    assert printable("evil\u202egnp.mp3") == "evil\\u202egnp.mp3"
    assert printable("\u2066x\u2069") == "\\u2066x\\u2069"


def test_printable_lines_keeps_line_breaks_and_escapes_the_rest():
    from calmtune.safetext import printable_lines

    assert printable_lines("one\x1b[2J\ntwo\x07") == "one\\x1b[2J\ntwo\\x07"


def test_is_printable_says_whether_printable_changes_anything():
    from calmtune.safetext import is_printable

    assert is_printable("Café [bold] — 夜\t".replace("\t", ""))
    assert not is_printable("tab\there")
    assert not is_printable(os.fsdecode(b"caf\xe9"))
    assert not is_printable("\u202e")
