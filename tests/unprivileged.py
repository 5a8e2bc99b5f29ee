"""Run calmtune commands as an unprivileged user, so permission tests mean the same as root.

Root reads and writes every file whatever its mode, so a test of a read-only file would pass or
be skipped for the wrong reason. Under root the command runs in a forked child that has dropped
to the ``nobody`` user, after the parent warmed every import the command needs (the interpreter's
own files may live where nobody cannot read). As another user it simply runs in this process.
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Sequence
from typing import NamedTuple

from click.testing import CliRunner

NOBODY = 65534


class Outcome(NamedTuple):
    exit_code: int
    stdout: str
    stderr: str


def _invoke(args: Sequence[str], env: dict[str, str]) -> Outcome:
    from calmtune.cli import cli

    result = CliRunner().invoke(cli, list(args), env=env)
    return Outcome(result.exit_code, result.stdout, result.stderr)


def run_unprivileged(
    args: Sequence[str], env: dict[str, str], warm: Sequence[Sequence[str]] = ()
) -> Outcome:
    """``calmtune ARGS`` as an unprivileged user. ``warm``: commands run first as root (on
    throwaway data) so that the modules the real run needs are already imported."""
    if os.geteuid() != 0:
        return _invoke(args, env)
    for command in warm:
        _invoke(command, env)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            outcome = _invoke(args, env)
            with os.fdopen(write_end, "w") as out:
                json.dump(outcome._asdict(), out)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        text = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the unprivileged run crashed"
    return Outcome(**json.loads(text))


def call_unprivileged(function, *args):
    """``function(*args)`` as an unprivileged user: ("", its result as JSON data) or
    ("<ExceptionType>: <message>", None). The caller warms imports first (see above)."""

    def run() -> tuple[str, object]:
        try:
            return "", function(*args)
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}", None

    if os.geteuid() != 0:
        return run()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            error, value = run()
            with os.fdopen(write_end, "w") as out:
                json.dump([error, value], out, default=repr)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        text = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the unprivileged run crashed"
    error, value = json.loads(text)
    return error, value


def open_to_everyone(*paths: os.PathLike[str] | str) -> None:
    """Let the unprivileged user enter and read these folders and files."""
    for path in paths:
        os.chmod(path, 0o777 if os.path.isdir(path) else 0o666)
