"""``calmtune doctor``: check the set-up and say what to fix."""

from __future__ import annotations

import click

from calmtune.cli.context import AppContext
from calmtune.cli.options import emit_json, json_option


@click.command()
@json_option
@click.pass_obj
def doctor(app: AppContext, as_json: bool) -> None:
    """Check Python, packages, settings, audio, ffmpeg and the index; say what to fix.

    Exits 0 when all is well, 1 otherwise.
    """
    from calmtune import health

    checks = [
        health.check_python(),
        health.check_packages(),
        health.check_settings(lambda: app.settings),
        health.check_ffmpeg(),
    ]
    try:
        mood_settings = app.mood_settings
    except Exception:  # a bad [mood] section is already reported by the settings check
        mood_settings = None
    checks += health.check_index(app.db_path, mood_settings)
    if as_json:
        emit_json([c.to_json() for c in checks])
    else:
        from calmtune.ui.doctor_view import print_checks

        print_checks(app.console, checks)
    if not all(c.ok for c in checks):
        click.get_current_context().exit(1)
