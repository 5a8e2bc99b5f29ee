"""Run a crontab line the way cron does, and a tiny program that reports the argv it was given.

cron (vixie cron 4.1, cronie, Debian cron) takes the five time fields, then hands the rest of the
line to ``/bin/sh -c`` after translating ``%``: ``\\%`` becomes ``%``, ``\\`` followed by any other
character is kept with its backslash, and the first bare ``%`` ends the command (what follows is
the job's stdin, with ``%`` as newlines). The job gets a bare environment: no XDG_RUNTIME_DIR, no
D-Bus address, and PATH=/usr/bin:/bin.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ARGV_PRINTER = """\
import json, os, sys
keys = ("XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "CALMTUNE_HOME", "PATH")
print(json.dumps({"argv": sys.argv[1:], "env": {k: os.environ.get(k) for k in keys},
                  "stdin": sys.stdin.read()}))
"""

# Arguments a shell or cron would love to reinterpret.
NASTY_WORDS = [
    "two words",
    "it's",
    'say "hi"',
    "$HOME",
    "${PATH}",
    "`id`",
    "$(id)",
    "100%",
    "%d%%",
    "back\\slash",
    "\\%",
    "\\\\%",
    "end\\",
    "line\nbreak",
    "trailing\n",
    "\n",
    "",
    " ",
    "-",
    ";",
    "&& true",
    "| cat",
    "*",
    "~",
    "tab\there",
    "ünïcode ♫",
    "#not a comment",
]


def write_argv_printer(folder: Path) -> Path:
    script = folder / "print argv.py"
    script.write_text(ARGV_PRINTER)
    return script


def cron_command(line: str) -> tuple[str, str]:
    """(command for /bin/sh, stdin) from a crontab line, by cronie's ``do_command.c`` rules."""
    fields = line.split(None, 5)
    assert len(fields) == 6, line
    command = fields[5]
    out: list[str] = []
    escaped = False
    stdin = ""
    for i, ch in enumerate(command):
        out.append(ch)
        if escaped:
            if ch == "%":
                out[-2:] = ["%"]
            escaped = False
            continue
        if ch == "\\":
            escaped = True
            continue
        if ch == "%":
            out.pop()
            stdin = command[i + 1 :].replace("%", "\n")
            break
    return "".join(out), stdin


def run_like_cron(line: str, home: Path) -> subprocess.CompletedProcess:
    assert "\n" not in line, "a crontab entry must be one line"
    command, stdin = cron_command(line)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh", "LOGNAME": "cron"}
    return subprocess.run(
        ["/bin/sh", "-c", command], input=stdin, env=env, capture_output=True, text=True, timeout=60
    )


def read_reports(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


PYTHON = sys.executable
