"""``calmtune schedule --systemd``: units systemd accepts, whose ExecStart splits into the argv asked for."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from calmtune.cli.app import cli
from calmtune.schedule import Schedule, parse_days, systemd_units
from unattended.cron_sim import NASTY_WORDS, PYTHON

# systemd's C escapes (src/basic/escape.c cunescape_one), as ExecStart= reads them.
_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    "\\": "\\", '"': '"', "'": "'", "s": " ",
}  # fmt: skip


def parse_unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """A unit file as section -> [(key, value), ...], keeping repeated keys (Environment=)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        if not line.strip() or line.startswith(("#", ";")):
            continue
        assert not line.endswith("\\"), f"continuation line: {line!r}"
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
            continue
        key, _, value = line.partition("=")
        assert current is not None
        current.append((key.strip(), value.strip()))
    return sections


def systemd_split(value: str, specials: str = "%$") -> list[str]:
    """Split a command line as systemd does: words, quotes, C escapes, \\;, then %% and $$.

    ``Environment=`` is split the same way but expands no variables: ``specials="%"``.
    """
    words: list[str] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and value[i] in " \t":
            i += 1
        if i >= n:
            break
        if value[i : i + 2] == "\\;" and (i + 2 == n or value[i + 2] in " \t"):
            words.append(";")
            i += 2
            continue
        chars: list[str] = []
        quote = None
        while i < n:
            c = value[i]
            if quote is None and c in " \t":
                break
            if c == quote:
                quote = None
                i += 1
            elif quote is None and c in "\"'":
                quote = c
                i += 1
            elif c == "\\":
                e = value[i + 1]
                if e == "x":  # one byte: a byte that is not UTF-8 as os.fsdecode has it
                    chars.append(os.fsdecode(bytes([int(value[i + 2 : i + 4], 16)])))
                    i += 4
                elif e == "u":
                    chars.append(chr(int(value[i + 2 : i + 6], 16)))
                    i += 6
                else:
                    chars.append(_ESCAPES[e])
                    i += 2
            else:
                chars.append(c)
                i += 1
        assert quote is None, f"unbalanced quotes in {value!r}"
        words.append(_expand("".join(chars), specials))
    return words


def _expand(word: str, specials: str = "%$") -> str:
    """Specifiers (%x) and, in command lines, variables ($X, ${X}): only doubled literals may occur."""
    out, i = [], 0
    while i < len(word):
        if word[i] in specials:
            assert word[i + 1 : i + 2] == word[i], f"unescaped {word[i]} in {word!r}"
            out.append(word[i])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


def _units(args: list[str]) -> tuple[str, dict, dict]:
    result = CliRunner().invoke(cli, ["schedule", "--systemd", *args])
    assert result.exit_code == 0, result.output
    chunks = re.split(r"^# ~/.config/systemd/user/(\S+)\n", result.stdout, flags=re.M)
    _, service_name, service, timer_name, timer = chunks
    assert service_name.endswith(".service") and timer_name.endswith(".timer")
    assert service_name[: -len(".service")] == timer_name[: -len(".timer")]
    return service_name[: -len(".service")], parse_unit(service), parse_unit(timer)


def test_systemd_execstart_splits_into_the_exact_argv(monkeypatch, tmp_path):
    home = tmp_path / "my $HOME 100% \"calm\" 'tunes'"
    monkeypatch.setenv("CALMTUNE_HOME", str(home))
    name, service, timer = _units(
        ["--at", "07:30", "--days", "weekdays", "--", "tracks", *NASTY_WORDS]
    )
    entries = dict(service["Service"])
    argv = systemd_split(entries["ExecStart"])
    assert os.path.isabs(argv[0])
    assert argv[argv.index("tracks") :] == ["tracks", *NASTY_WORDS]
    env = dict(
        systemd_split(v, "%")[0].split("=", 1) for k, v in service["Service"] if k == "Environment"
    )
    assert env["XDG_RUNTIME_DIR"] == f"/run/user/{os.getuid()}"
    assert env["DBUS_SESSION_BUS_ADDRESS"] == f"unix:path=/run/user/{os.getuid()}/bus"
    assert env["CALMTUNE_HOME"] == str(home)
    assert entries["StandardOutput"].startswith("append:")
    assert dict(timer["Timer"]) == {
        "OnCalendar": "Mon..Fri *-*-* 07:30:00",
        "Unit": f"{name}.service",
    }
    assert dict(timer["Install"]) == {"WantedBy": "timers.target"}


def test_systemd_unit_name_comes_from_the_command_and_time_or_name_option():
    name, _, timer = _units(["--at", "22:05", "--", "tracks", "--limit", "3"])
    assert name == "calmtune-tracks-2205"
    assert dict(timer["Timer"])["OnCalendar"] == "*-*-* 22:05:00"
    named, _, _ = _units(["--at", "22:05", "--name", "evening-calm", "--", "tracks"])
    assert named == "evening-calm"


def test_systemd_explains_systemctl_and_linger_on_stderr():
    result = CliRunner().invoke(cli, ["schedule", "--systemd", "--at", "7:30", "--", "tracks"])
    assert "systemctl --user daemon-reload" in result.stderr
    assert "systemctl --user enable --now calmtune-tracks-0730.timer" in result.stderr
    assert "loginctl enable-linger" in result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("days", ["daily", "weekdays", "weekends", "mon,wed,thu,fri,sun"])
def test_systemd_units_pass_systemd_analyze_verify(tmp_path, days):
    printer = tmp_path / "argv.py"
    printer.write_text("")
    job = Schedule(
        hour=6,
        minute=45,
        days=parse_days(days),
        argv=(PYTHON, str(printer), "relax", *NASTY_WORDS),
        environment={"XDG_RUNTIME_DIR": "/run/user/1000", "CALMTUNE_HOME": "/tmp/a b%$"},
        log_file=tmp_path / "log 100%.log",
    )
    service, timer = systemd_units(job, "calmtune-test", "calmtune relax 100% $HOME \\")
    (tmp_path / "calmtune-test.service").write_text(service)
    (tmp_path / "calmtune-test.timer").write_text(timer)
    runtime = tmp_path / "runtime"  # --user needs a runtime folder, even for a dry check
    runtime.mkdir(mode=0o700)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--user", "calmtune-test.service", "calmtune-test.timer"],
        cwd=tmp_path,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "calmtune-test" not in done.stderr  # no warning about our units at all


def test_systemd_refuses_a_log_path_it_cannot_name_instead_of_injecting_a_line(
    monkeypatch, tmp_path
):
    home = tmp_path / "h\nExecStartPre=/bin/touch /tmp/pwned"
    monkeypatch.setenv("CALMTUNE_HOME", str(home))
    result = CliRunner().invoke(cli, ["schedule", "--systemd", "--at", "7:30", "--", "relax"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "ExecStartPre" not in result.stdout
    assert "cannot be named in a systemd unit" in result.stderr
    assert "CALMTUNE_HOME" in result.stderr and "\\x0a" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not home.exists()  # nothing was created for a unit that was not printed


def test_systemd_execstart_escapes_control_bidi_and_undecodable_words(monkeypatch, tmp_path):
    words = ["t\x1b]0;pwned\x07", "c1\x9b2J", "bidi\u202e", "del\x7f", os.fsdecode(b"caf\xe9")]
    monkeypatch.setenv("CALMTUNE_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(
        cli, ["schedule", "--systemd", "--at", "7:30", "--", "tracks", *words]
    )
    assert result.exit_code == 0, result.output
    printed = result.stdout_bytes.decode("utf-8")  # valid UTF-8: the odd byte is an escape
    assert [
        ch for ch in printed if (ord(ch) < 0x20 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F
    ] == []
    assert "\u202e" not in printed
    service = parse_unit(printed.split("# ~/.config/systemd/user/")[1].split("\n", 1)[1])
    entries = dict(service["Service"])
    argv = systemd_split(entries["ExecStart"])
    assert argv[argv.index("tracks") + 1 :] == words


def test_systemd_environment_values_are_escaped_too(tmp_path):
    home = "/home/x\x1b]0;pwned\x07\n\u202e"
    job = Schedule(7, 30, parse_days("daily"), ("calmtune", "relax"), {"CALMTUNE_HOME": home})
    service, _ = systemd_units(job, "calmtune-relax-0730", "calmtune relax")
    assert [ch for ch in service if ord(ch) < 0x20 and ch != "\n"] == []
    assert "ExecStartPre" not in service and "\u202e" not in service
    (value,) = [v for k, v in parse_unit(service)["Service"] if k == "Environment"]
    assert systemd_split(value, "%") == [f"CALMTUNE_HOME={home}"]
