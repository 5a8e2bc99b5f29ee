"""Build the crontab line or the systemd user units that run a calmtune command at a set time.

Pure text building: nothing here edits a crontab or talks to systemd. Two quoting worlds meet:

- cron hands everything after the five time fields to ``/bin/sh -c``, but first turns each
  unescaped ``%`` into a newline (the rest becomes the command's stdin). So every argument is
  quoted for POSIX sh and every ``%`` is then written ``\\%``, which cron turns back into ``%``.
  A crontab entry is one line, so a newline inside an argument is rebuilt by sh at run time
  from ``printf`` instead of being written literally.
- systemd splits ``ExecStart=`` itself (no shell): each word is double-quoted with C-style
  escapes, ``%`` (specifiers) is doubled and ``$`` (variable expansion) is doubled.

Either way the text printed holds no control character but tab: what would act on the terminal it
is printed on is made at run time (sh's ``printf``, systemd's escapes), or refused.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from calmtune.errors import ConfigError
from calmtune.safetext import is_printable, printable

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_PRESETS: dict[str, tuple[str, ...]] = {
    "daily": DAY_NAMES,
    "weekdays": DAY_NAMES[:5],
    "weekends": DAY_NAMES[5:],
}
# cron numbers Sunday 0; systemd writes English abbreviations, Monday first.
_CRON_DAY = {name: (i + 1) % 7 for i, name in enumerate(DAY_NAMES)}

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class Schedule:
    """What to run and when. ``days`` are names from ``DAY_NAMES`` in week order."""

    hour: int
    minute: int
    days: tuple[str, ...]
    argv: tuple[str, ...]  # the full command: calmtune's own argv followed by the user's words
    environment: Mapping[str, str] = field(default_factory=dict)
    log_file: Path | None = None  # stdout and stderr of each run are appended here

    @property
    def every_day(self) -> bool:
        return set(self.days) == set(DAY_NAMES)


def parse_time(text: str) -> tuple[int, int]:
    """``"7:30"``/``"07:30"`` -> ``(7, 30)``; ``ValueError`` with a message fit for a user."""
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(
            f"'{text}' is not a time: use HH:MM on a 24-hour clock, e.g. 07:30 or 22:15"
        )
    return int(match.group(1)), int(match.group(2))


def parse_days(text: str) -> tuple[str, ...]:
    """``daily``, ``weekdays``, ``weekends`` or a comma list such as ``mon,wed,fri``.

    Full names (``monday``) and any case are accepted. The result is in week order, without repeats.
    """
    words = [w.strip().lower() for w in text.split(",")]
    if len(words) == 1 and words[0] in DAY_PRESETS:
        return DAY_PRESETS[words[0]]
    chosen: set[str] = set()
    for word in words:
        if word in DAY_NAMES:
            chosen.add(word)
        elif word in _FULL_DAY_NAMES:
            chosen.add(DAY_NAMES[_FULL_DAY_NAMES.index(word)])
        else:
            raise ValueError(
                f"'{word or text}' is not a day: use daily, weekdays, weekends, "
                f"or days separated by commas ({','.join(DAY_NAMES)})"
            )
    return tuple(d for d in DAY_NAMES if d in chosen)


def calmtune_argv(argv0: str, executable: str) -> list[str]:
    """How to start this same calmtune from a job that has no PATH or virtualenv of its own.

    The console script when this process is one (``argv0``) or sits beside this Python; otherwise
    ``<python> -m calmtune``. Paths are made absolute but not resolved: resolving a virtualenv's
    ``python`` symlink would leave the virtualenv.
    """
    if Path(argv0).name == "calmtune" and os.path.isfile(argv0) and os.access(argv0, os.X_OK):
        return [os.path.abspath(argv0)]
    beside = Path(os.path.abspath(executable)).parent / "calmtune"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    return [os.path.abspath(executable), "-m", "calmtune"]


def session_environment(uid: int, calmtune_home: str | None) -> dict[str, str]:
    """What a cron job needs to reach the user's PipeWire/PulseAudio (and calmtune's own files)."""
    env = {
        "XDG_RUNTIME_DIR": f"/run/user/{uid}",
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path=/run/user/{uid}/bus",
    }
    if calmtune_home:
        env["CALMTUNE_HOME"] = os.path.abspath(os.path.expanduser(calmtune_home))
    return env


# -- cron ----------------------------------------------------------------------------------------

# Characters a crontab line must not hold literally: a newline would end the entry, and control
# characters, bidirectional overrides and bytes that are not UTF-8 would act on (or mislead) the
# terminal the line is printed on. Tab is fine: sh reads it literally inside single quotes.
_SH_LITERAL_UNSAFE = re.compile(
    r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _char_variable(ch: str) -> str:
    return f"_c{ord(ch):02x}"


def _char_bytes(ch: str) -> bytes:
    """The bytes the file system (or the terminal) has for ``ch``: a lone surrogate is a file-name
    byte that is not UTF-8 (``os.fsdecode``)."""
    return ch.encode("utf-8", "surrogateescape")


def sh_quote(word: str) -> str:
    """``word`` as one /bin/sh word. A character a crontab line cannot hold literally (a newline,
    an escape code, ...) is taken from a variable set by ``_character_prefix``."""
    if not _SH_LITERAL_UNSAFE.search(word):
        return shlex.quote(word)
    pieces: list[str] = []
    start = 0
    for match in _SH_LITERAL_UNSAFE.finditer(word):
        if match.start() > start:
            pieces.append(shlex.quote(word[start : match.start()]))
        pieces.append(f'"${_char_variable(match.group())}"')
        start = match.end()
    if start < len(word):
        pieces.append(shlex.quote(word[start:]))
    return "".join(pieces)


def _character_prefix(texts: Sequence[str]) -> str:
    """Shell assignments that make each unsafe character of ``texts`` from ``printf`` octal
    escapes, e.g. ``_c0a=$(printf '\\012x'); _c0a=${_c0a%x}; `` for a newline (POSIX sh has no
    $'\\n'; command substitution strips trailing newlines, hence the guard "x")."""
    chars = sorted({m.group() for text in texts for m in _SH_LITERAL_UNSAFE.finditer(text)})
    parts = []
    for ch in chars:
        name = _char_variable(ch)
        octal = "".join(f"\\{byte:03o}" for byte in _char_bytes(ch))
        parts.append(f"{name}=$(printf '{octal}x'); {name}=${{{name}%x}}; ")
    return "".join(parts)


def cron_escape(text: str) -> str:
    """Protect ``%`` from cron, which would turn it into a newline and cut the command there.

    cron (vixie/cronie ``do_command.c``) reads ``\\%`` as ``%`` but ``\\\\`` as an escaped pair,
    so a literal backslash right before a ``%`` would make that ``%`` live again. ``text`` comes
    from ``sh_quote``, where backslashes only occur inside single quotes: there ``\\%`` is split
    into ``\\''%`` (close and reopen the quotes, same string for sh) before escaping.
    """
    return text.replace("\\%", "\\''%").replace("%", "\\%")


def cron_days_field(days: Sequence[str]) -> str:
    if set(days) == set(DAY_NAMES):
        return "*"
    return _ranges(sorted(_CRON_DAY[d] for d in days), "-")


def shell_command(schedule: Schedule) -> str:
    """The /bin/sh command line (before cron's ``%`` escaping): env, argv, and the log redirect."""
    env = schedule.environment
    assignments = " ".join(f"{name}={sh_quote(value)}" for name, value in env.items())
    command = " ".join(sh_quote(w) for w in schedule.argv)
    line = f"{assignments} {command}" if assignments else command
    log = "" if schedule.log_file is None else str(schedule.log_file)
    if log:
        line += f" >>{sh_quote(log)} 2>&1"
    return _character_prefix((*schedule.argv, *env.values(), log)) + line


def crontab_line(schedule: Schedule) -> str:
    """One crontab entry: ``minute hour * * days command``."""
    fields = f"{schedule.minute} {schedule.hour} * * {cron_days_field(schedule.days)}"
    return f"{fields} {cron_escape(shell_command(schedule))}"


# -- systemd -------------------------------------------------------------------------------------

_C_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def systemd_quote(word: str, *, expands_variables: bool = True) -> str:
    """One ``ExecStart=`` word: double-quoted, C-escaped, ``%`` and ``$`` doubled.

    ``Environment=`` values get ``expands_variables=False``: systemd expands ``$`` only in
    command lines, so there a doubled ``$`` would stay doubled.
    """
    if word == ";" and expands_variables:
        return "\\;"  # a lone ; separates commands, even quoted; systemd documents \; for it

    def escape(ch: str) -> str:
        if ch in _C_ESCAPES:
            return _C_ESCAPES[ch]
        code = ord(ch)
        if code < 0x20 or code == 0x7F:
            return f"\\x{code:02x}"
        if 0xDC80 <= code <= 0xDCFF:  # a file-name byte that is not UTF-8: that same byte
            return f"\\x{code - 0xDC00:02x}"
        if _SH_LITERAL_UNSAFE.match(ch):  # C1 controls, bidi overrides: as \uXXXX
            return f"\\u{code:04x}"
        if ch == "%":
            return "%%"
        if ch == "$" and expands_variables:
            return "$$"
        return ch

    return '"' + "".join(escape(ch) for ch in word) + '"'


def systemd_calendar(schedule: Schedule) -> str:
    """``OnCalendar=`` value, e.g. ``Mon..Fri *-*-* 07:30:00``."""
    time = f"*-*-* {schedule.hour:02d}:{schedule.minute:02d}:00"
    if schedule.every_day:
        return time
    indexes = sorted(DAY_NAMES.index(d) for d in schedule.days)
    names = [d.capitalize() for d in DAY_NAMES]
    return f"{_ranges(indexes, '..', names)} {time}"


def unit_name(words: Sequence[str], hour: int, minute: int) -> str:
    """A readable unit name such as ``calmtune-relax-0730`` from the command's first word."""
    first = next((w for w in words if not w.startswith("-")), "run")
    slug = re.sub(r"[^a-z0-9]+", "-", first.lower()).strip("-") or "run"
    return f"calmtune-{slug[:32]}-{hour:02d}{minute:02d}"


def systemd_units(schedule: Schedule, name: str, description: str) -> tuple[str, str]:
    """The text of ``<name>.service`` and ``<name>.timer`` (user units)."""
    lines = [
        "[Unit]",
        f"Description={_one_line(description)}",
        "",
        "[Service]",
        # simple, not oneshot: a session runs for many minutes and must not meet a start timeout.
        "Type=simple",
    ]
    for key, value in schedule.environment.items():
        lines.append(f"Environment={systemd_quote(f'{key}={value}', expands_variables=False)}")
    lines.append("ExecStart=" + " ".join(systemd_quote(w) for w in schedule.argv))
    if schedule.log_file is not None:
        target = _append_target(str(schedule.log_file)).replace("%", "%%")
        lines += [f"StandardOutput=append:{target}", "StandardError=inherit"]
    service = "\n".join(lines) + "\n"
    timer = "\n".join(
        [
            "[Unit]",
            f"Description=Start {name}.service at {schedule.hour:02d}:{schedule.minute:02d}",
            "",
            "[Timer]",
            f"OnCalendar={systemd_calendar(schedule)}",
            f"Unit={name}.service",
            "",
            "[Install]",
            "WantedBy=timers.target",
        ]
    )
    return service, timer + "\n"


def _append_target(path: str) -> str:
    """``path`` for ``StandardOutput=append:``, where systemd takes the rest of the line as it is
    (no quotes, no escapes; systemd.exec): a line break would end the setting and start another
    (an ``ExecStartPre=`` of someone else's choosing), a final backslash would join the next line,
    spaces at either end are dropped. Such a path is refused rather than written."""
    problem = None
    if not is_printable(path):
        problem = "a line break, a control character or a byte that is not UTF-8"
    elif path != path.strip() or path.endswith("\\"):
        problem = "a space or a backslash at one end"
    if problem is not None:
        raise ConfigError(
            f"the log file {printable(path)} cannot be named in a systemd unit: its path holds "
            f"{problem}",
            hint="set CALMTUNE_HOME to a folder with a plain name, or use the crontab line",
        )
    return path


# -- helpers -------------------------------------------------------------------------------------


def _ranges(numbers: Sequence[int], dash: str, names: Sequence[str] | None = None) -> str:
    """``[1, 2, 3, 5]`` -> ``1-3,5``: runs of three or more become ranges."""
    label = (lambda n: names[n]) if names is not None else str
    parts: list[str] = []
    i = 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{label(numbers[i])}{dash}{label(numbers[j])}")
        else:
            parts.extend(label(n) for n in numbers[i : j + 1])
        i = j + 1
    return ",".join(parts)


def _one_line(text: str) -> str:
    """Unit descriptions are one line that takes specifiers and a trailing ``\\`` continues it:
    keep only plain characters (the description is for people, ExecStart holds the truth)."""
    return re.sub(r"[^\w .,:/+=@-]", "_", text)[:120]
