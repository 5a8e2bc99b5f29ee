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
