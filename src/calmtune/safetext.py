"""Text that may hold any file name or tag value, made safe to store, log and print.

The path rule, everywhere in calmtune: a path is the file system's own bytes. SQLite stores those
bytes (BLOB columns); inside Python a path is a ``str`` decoded with ``surrogateescape``
(``os.fsdecode``), so a byte that is not valid UTF-8 becomes a lone surrogate and encodes back to
the same byte. Where a path becomes text for someone to read, it changes form:

- for people (terminal, log file, error texts kept in the index): ``printable`` shows each such
  byte as ``\\xNN`` and each control character (newline, tab, escape codes) as ``\\xNN`` too, so
  one name is always one line and can never move the cursor;
- for scripts (``--json``): ``\\udcNN`` escapes, see ``cli.options.to_json_text``.

``printable`` is the one sanitiser for everything calmtune prints: tables, plain lines, warnings,
notes, errors, and data written to a terminal (docs/design.md, "Text from files is data").

Pure standard library: the index, the log and the terminal views all use it.
"""

from __future__ import annotations

# C0 controls, DEL and C1 controls; tab is replaced too, it breaks table columns. Bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) reorder what follows on the
# screen, so a name could show as something it is not: they are escaped too (as \u202e).
# A translation table, not a regular expression: compiling this character class and the
# surrogate one cost 4.9M instructions at the start of every command that prints a line
# (`calmtune playlist build` runs in about 290M), building the table 0.2M.
_ESCAPES = {
    code: f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
    for code in (*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
}


def _has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate: the one thing strict UTF-8 cannot encode."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def escape_undecodable(text: str) -> str:
    """``text`` with each lone surrogate written as a visible escape: ``\\xNN`` for a file-name
    byte that is not UTF-8 (``os.fsdecode``), ``\\udNNN`` for any other. Valid UTF-8 after."""
    if not _has_surrogate(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no file-name byte makes (from a broken tag)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def printable(value: object) -> str:
    """``value`` as a single line of valid UTF-8 that is safe to print on a terminal."""
    if value is None:
        return ""
    return escape_undecodable(str(value)).translate(_ESCAPES)


def printable_lines(text: str) -> str:
    """Each line of ``text`` made ``printable``, its line breaks kept: for text that is several
    lines by design (click's usage errors, a playlist written to a terminal)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def is_printable(text: str) -> bool:
    """Whether ``text`` prints as it is (``printable`` would change nothing)."""
    return printable(text) == text
