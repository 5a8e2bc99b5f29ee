"""``calmtune schedule``: the crontab line, run the way cron runs it, gives exactly the argv asked for."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import pytest
from click.testing import CliRunner

from calmtune.cli.app import cli
from calmtune.schedule import (
    Schedule,
    calmtune_argv,
    crontab_line,
    parse_days,
    session_environment,
)
from unattended.cron_sim import (
    NASTY_WORDS,
    PYTHON,
    cron_command,
    read_reports,
    run_like_cron,
    write_argv_printer,
)


def _schedule(args: list[str]) -> str:
    result = CliRunner().invoke(cli, ["schedule", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_crontab_line_gives_the_exact_argv_and_session_env_through_cron_and_sh(tmp_path):
    printer = write_argv_printer(tmp_path)
    log_dir = tmp_path / "log dir $x"
    log_dir.mkdir()
    log = log_dir / "out %s 100%.log"
    job = Schedule(
        hour=7,
        minute=30,
        days=parse_days("daily"),
        argv=(PYTHON, str(printer), *NASTY_WORDS),
        environment=session_environment(4242, str(tmp_path / "home with 'quote' and %")),
        log_file=log,
    )
    line = crontab_line(job)

    done = run_like_cron(line, tmp_path)

    assert done.returncode == 0, done.stderr
    (report,) = read_reports(log)
    assert report["argv"] == NASTY_WORDS
    assert report["stdin"] == ""  # no bare % leaked into cron's stdin split
    assert report["env"]["XDG_RUNTIME_DIR"] == "/run/user/4242"
    assert report["env"]["DBUS_SESSION_BUS_ADDRESS"] == "unix:path=/run/user/4242/bus"
    assert report["env"]["CALMTUNE_HOME"] == str(tmp_path / "home with 'quote' and %")


def test_schedule_command_quotes_every_word_of_the_users_command(tmp_path, isolated_home):
    line = _schedule(["--at", "22:15", "--", "tracks", *NASTY_WORDS])
    calmtune = calmtune_argv(sys.argv[0], sys.executable)
    assert " ".join(shlex.quote(w) for w in calmtune) in line
    # Point the same line at the argv printer instead of calmtune: every word the user gave
    # must arrive unchanged.
    printer = write_argv_printer(tmp_path)
    swapped = line.replace(
        " ".join(shlex.quote(w) for w in calmtune) + " ",
        f"{shlex.quote(PYTHON)} {shlex.quote(str(printer))} ",
        1,
    )

    done = run_like_cron(swapped, tmp_path)

    assert done.returncode == 0, done.stderr
    (report,) = read_reports(isolated_home / "state" / "scheduled.log")
    assert report["argv"] == ["tracks", *NASTY_WORDS]
    assert report["env"]["XDG_RUNTIME_DIR"] == f"/run/user/{os.getuid()}"
    assert report["env"]["DBUS_SESSION_BUS_ADDRESS"] == f"unix:path=/run/user/{os.getuid()}/bus"
    assert report["env"]["CALMTUNE_HOME"] == str(isolated_home)


def test_crontab_line_runs_this_calmtune_without_path_and_logs_the_outcome(tmp_path, isolated_home):
    weird = "/no such/folder 'x' $HOME 100%"
    line = _schedule(["--at", "6:05", "--days", "weekends", "--", "scan", weird])
    assert line.startswith("5 6 * * 0,6 ")

    done = run_like_cron(line, tmp_path)  # PATH=/usr/bin:/bin: calmtune is found by its path

    assert done.returncode == 0
    output = (isolated_home / "state" / "scheduled.log").read_text()
    assert f"{weird}: library root does not exist" in output
    log = (isolated_home / "state" / "calmtune.log").read_text()
    assert "end scan: exit 0" in log and "/no such/folder" in log


@pytest.mark.parametrize(
    ("days", "field"),
    [
        ("daily", "*"),
        ("weekdays", "1-5"),
        ("weekends", "0,6"),
        ("mon,tue,wed,fri", "1-3,5"),
        ("Sunday,monday", "0,1"),
        ("sat,sun,mon", "0,1,6"),
    ],
)
def test_schedule_days_become_cron_day_of_week_fields(days, field):
    line = _schedule(["--at", "07:00", "--days", days, "--", "tracks"])
    assert line.split()[:5] == ["0", "7", "*", "*", field]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "24:00"], "'24:00' is not a time"),
        (["--at", "7"], "use HH:MM"),
        (["--at", "07:60"], "'07:60' is not a time"),
        (["--at", "7:30", "--days", "funday"], "'funday' is not a day"),
        (["--at", "7:30", "--days", "mon,,tue"], "is not a day"),
        (["--at", "7:30", "--name", "a/b"], "--name"),
    ],
)
def test_schedule_rejects_bad_times_and_days_as_usage_errors(args, message):
    result = CliRunner().invoke(cli, ["schedule", *args, "--", "tracks"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_schedule_rejects_a_command_calmtune_does_not_have():
    result = CliRunner().invoke(cli, ["schedule", "--at", "7:30", "--", "rm", "-rf", "/"])
    assert result.exit_code == 2
    assert "'rm' is not a calmtune command" in result.stderr


def test_schedule_requires_a_command():
    result = CliRunner().invoke(cli, ["schedule", "--at", "7:30"])
    assert result.exit_code == 2


def test_schedule_explains_installing_on_stderr_and_quiet_silences_it():
    loud = CliRunner().invoke(cli, ["schedule", "--at", "7:30", "--", "tracks"])
    assert "crontab -e" in loud.stderr and "loginctl enable-linger" in loud.stderr
    assert loud.stdout.count("\n") == 1  # stdout is only the entry, ready for `>> file`
    quiet = CliRunner().invoke(cli, ["-q", "schedule", "--at", "7:30", "--", "tracks"])
    assert quiet.stderr == "" and quiet.stdout == loud.stdout


def test_schedule_carries_global_db_and_config_options_as_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = _schedule(["--at", "7:30", "--", "tracks"])
    assert "--db" not in line
    result = CliRunner().invoke(
        cli, ["--db", "my lib.db", "schedule", "--at", "7:30", "--", "tracks"]
    )
    assert shlex.quote(str(tmp_path / "my lib.db")) + " tracks" in result.stdout


def test_calmtune_argv_prefers_the_console_script_then_python_dash_m(tmp_path):
    script = tmp_path / "bin" / "calmtune"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    python = tmp_path / "bin" / "python3"
    assert calmtune_argv(str(script), "/usr/bin/python3") == [str(script)]
    assert calmtune_argv("/somewhere/pytest", str(python)) == [str(script)]
    lonely = tmp_path / "other" / "python3"
    assert calmtune_argv("-c", str(lonely)) == [str(lonely), "-m", "calmtune"]


def test_schedule_warns_when_a_crontab_line_may_be_too_long_for_old_crons():
    short = CliRunner().invoke(cli, ["schedule", "--at", "7:30", "--", "tracks"])
    assert "characters" not in short.stderr
    long = CliRunner().invoke(cli, ["schedule", "--at", "7:30", "--", "show", "x" * 1000])
    assert long.exit_code == 0
    assert "older cron versions cut commands at 1000" in long.stderr


# Characters that act on a terminal or end a line: the crontab line printed must hold none of
# them, and sh must still give the job exactly these words.
HOSTILE_WORDS = [
    "title\x1b]0;pwned\x07",
    "clear\x1b[2J",
    "cr\rhere",
    "bell\x07",
    "back\x08space",
    "c1\x9b31m",
    "del\x7f",
    "bidi\u202eevil",
    os.fsdecode(b"caf\xe9 not utf-8"),
]


def test_crontab_line_makes_control_characters_at_run_time_and_prints_none(tmp_path):
    printer = write_argv_printer(tmp_path)
    log = tmp_path / "out.log"
    home = str(tmp_path / "home\nExecStartPre=/bin/evil\x1b[2J")
    job = Schedule(
        hour=7,
        minute=30,
        days=parse_days("daily"),
        argv=(PYTHON, str(printer), *HOSTILE_WORDS),
        environment=session_environment(4242, home),
        log_file=log,
    )
    line = crontab_line(job)
    assert {ch for ch in line if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F} == set()
    assert "\u202e" not in line and os.fsencode(line) == line.encode("utf-8")

    done = subprocess.run(
        ["/bin/sh", "-c", cron_command(line)[0]],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    (report,) = [json.loads(x) for x in log.read_bytes().splitlines() if x.startswith(b"{")]
    assert report["argv"] == HOSTILE_WORDS
    assert report["env"]["CALMTUNE_HOME"] == home


def test_schedule_prints_no_control_character_for_a_hostile_calmtune_home(monkeypatch, tmp_path):
    home = tmp_path / "home\x1b]0;pwned\x07\nx"
    monkeypatch.setenv("CALMTUNE_HOME", str(home))
    result = CliRunner().invoke(cli, ["schedule", "--at", "7:30", "--", "relax", "\x1b[2J"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1
    printed = result.stdout + result.stderr
    assert [ch for ch in printed if ord(ch) < 0x20 and ch != "\n"] == []
