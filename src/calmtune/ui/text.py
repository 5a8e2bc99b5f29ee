"""Text from tags and file names is data, never markup or terminal control.

rich ``Text`` objects are never parsed as markup, so ``[bold]`` in a title stays literal; control
characters (escape codes, carriage returns, bells) are shown as visible ``\\x1b``-style escapes so a
hostile tag cannot move the cursor, change colours or retitle the terminal.
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls; tab is replaced too, it breaks table columns.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(value: object) -> str:
    """``value`` as a single-line string that is safe to print on a terminal."""
    if value is None:
        return ""
    text = str(value)
    # Undecodable bytes in file names arrive as lone surrogates: show them as \xNN.
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
