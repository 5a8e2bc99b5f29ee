"""``calmtune schedule``: print a crontab line or systemd user units; never edit them."""

from __future__ import annotations

import os
import re
import sys

import click

from calmtune.cli.context import AppContext

SCHEDULED_LOG_NAME = "scheduled.log"  # stdout/stderr of scheduled runs (calmtune.log is the log)
CRON_MAX_COMMAND = 1000  # vixie cron's MAX_COMMAND; cronie allows far more
_UNIT_NAME = re.compile(r"^[A-Za-z0-9:_.@-]{1,200}$")


class _TimeType(click.ParamType):
    name = "HH:MM"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        from calmtune.schedule import parse_time

        try:
            return parse_time(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class _DaysType(click.ParamType):
    name = "DAYS"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        from calmtune.schedule import parse_days

        try:
            return parse_days(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        from calmtune.schedule import DAY_NAMES, DAY_PRESETS

        # After "mon," offer "mon,tue" etc.; at the start also the presets.
        head, _, last = incomplete.rpartition(",")
        prefix = f"{head}," if head else ""
        words = list(DAY_NAMES) if head else [*DAY_PRESETS, *DAY_NAMES]
        return [CompletionItem(prefix + w) for w in words if w.startswith(last.lower())]


@click.command()
@click.option("--at", "at", type=_TimeType(), required=True, help="Time of day, 24-hour HH:MM.")
@click.option(
    "--days",
    type=_DaysType(),
    default="daily",
    show_default=True,
    help="daily, weekdays, weekends, or days such as mon,wed,fri.",
)
@click.option("--systemd", is_flag=True, help="Print a systemd user service and timer instead.")
@click.option("--name", help="Name of the systemd units (default: calmtune-<command>-<HHMM>).")
@click.argument("command", nargs=-1, required=True, metavar="-- COMMAND...")
@click.pass_obj
def schedule(
    app: AppContext,
    at: tuple[int, int],
    days: tuple[str, ...],
    systemd: bool,
    name: str | None,
    command: tuple[str, ...],
) -> None:
    """Print a crontab line (or systemd user units) that runs a calmtune command at a set time.

    \b
      calmtune schedule --at 22:30 --days weekdays -- relax --duration 30m --no-ui
      calmtune schedule --at 07:00 --systemd -- upbeat --duration 20m

    Put `--` before the command so its options are not taken as schedule's. The entry uses this
    calmtune's absolute path, quotes every argument for /bin/sh, sets XDG_RUNTIME_DIR and the D-Bus
    address so the job reaches your sound server, and appends the run's output to a log in the
    state folder. The entry goes to stdout, how to install it to stderr. Nothing is installed.
    """
    from calmtune import schedule as sched

    _check_command(command)
    if name is not None and not _UNIT_NAME.match(name):
        raise click.BadParameter("use letters, digits and - _ . : @ only", param_hint="--name")
    hour, minute = at
    log_file = app.paths.state_dir / SCHEDULED_LOG_NAME
    job = sched.Schedule(
        hour=hour,
        minute=minute,
        days=days,
        argv=(*sched.calmtune_argv(sys.argv[0], sys.executable), *_global_options(app), *command),
        environment=sched.session_environment(os.getuid(), os.environ.get("CALMTUNE_HOME")),
        log_file=log_file,
    )
    if systemd:
        unit = name or sched.unit_name(command, hour, minute)
        service, timer = sched.systemd_units(job, unit, f"calmtune {' '.join(command)}")
        text = f"# ~/.config/systemd/user/{unit}.service\n{service}\n"
        text += f"# ~/.config/systemd/user/{unit}.timer\n{timer}"
        explanation = _systemd_help(unit, log_file)
    else:
        text = sched.crontab_line(job) + "\n"
        explanation = _cron_help(log_file)
    # The shell's >> (and systemd's append:) cannot create a missing folder: the job would not run.
    log_file.parent.mkdir(parents=True, exist_ok=True)
    # The entry holds no control character but tab (calmtune.schedule makes the others at run
    # time); its file names go out as their own bytes, so a pasted entry names the same files.
    click.echo(text.encode("utf-8", "surrogateescape"), nl=False)
    if not systemd and len(text) - 1 > CRON_MAX_COMMAND:
        app.warn(
            f"this line is {len(text) - 1} characters; older cron versions cut commands at "
            f"{CRON_MAX_COMMAND}: use --systemd, or shorten the command"
        )
    if not app.quiet:
        from calmtune.ui.text import printable_lines

        click.echo(printable_lines(explanation), err=True)


def _check_command(command: tuple[str, ...]) -> None:
    # The root group knows the commands (asking it, rather than importing cli.app, keeps the
    # import graph free of a cycle: cli.app loads this module).
    root = click.get_current_context().find_root()
    names = root.command.list_commands(root) if isinstance(root.command, click.Group) else []
    first = command[0]
    if not first.startswith("-") and first not in names:
        raise click.UsageError(
            f"'{first}' is not a calmtune command; one of: {', '.join(sorted(names))}"
        )


def _global_options(app: AppContext) -> list[str]:
    """The scheduled run uses the same settings file and index as this one."""
    words: list[str] = []
    if app.config_file is not None:
        words += ["--config", os.path.abspath(app.config_file)]
    if app.db_file is not None:
        words += ["--db", os.path.abspath(app.db_file)]
    return words


def _cron_help(log_file) -> str:
    return (
        "\nTo install: run `crontab -e` and paste the line above at the end "
        "(calmtune never edits your crontab).\n"
        f"Each run appends its output to {log_file}; calmtune's own log is beside it.\n"
        "The line sets XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS so the job reaches your "
        "PipeWire or PulseAudio;\nthat works while you are logged in. On a machine nobody logs in "
        "to (headless), run `loginctl enable-linger $USER`\nso your user's sound server keeps "
        "running, or use `--systemd` for a user timer. Check with `calmtune doctor`."
    )


def _systemd_help(unit: str, log_file) -> str:
    return (
        "\nTo install: save the two units above as the files named in their first lines, then run\n"
        "  systemctl --user daemon-reload\n"
        f"  systemctl --user enable --now {unit}.timer\n"
        "  systemctl --user list-timers        # shows the next run\n"
        "On a machine nobody logs in to (headless), also run `loginctl enable-linger $USER`, "
        "so your\nuser's services and sound server run without a login.\n"
        f"Each run appends its output to {log_file}. Check with `calmtune doctor`."
    )
