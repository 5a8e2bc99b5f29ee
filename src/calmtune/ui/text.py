"""Text from tags and file names is data, never markup or terminal control.

rich ``Text`` objects are never parsed as markup, so ``[bold]`` in a title stays literal; control
characters (escape codes, carriage returns, bells) are shown as visible ``\\x1b``-style escapes so a
hostile tag cannot move the cursor, change colours or retitle the terminal. The rule itself lives
in ``calmtune.safetext`` (the index, the log and the schedule use it too).
"""

from __future__ import annotations

from calmtune.safetext import printable, printable_lines

__all__ = ["printable", "printable_lines"]
