"""``calmtune doctor``: check the set-up and say what to fix."""

from __future__ import annotations

import click

from calmtune.cli.context import AppContext
from calmtune.cli.options import emit_json, json_option


@click.command(short_help="Check the set-up and say what to fix.")
@click.option(
    "--repair",
    is_flag=True,
    help="Rebuild a damaged index from the music files (keeping the analyses, moods and journal "
    "that can still be read; the damaged file is kept beside it).",
)
@json_option
@click.pass_obj
def doctor(app: AppContext, repair: bool, as_json: bool) -> None:
    """Check the set-up and say what to fix: versions, settings, the audio device (opened and
    closed without playing, in a subprocess with a timeout), playable and analysable formats,
    ffmpeg, the index (integrity, counts, tracks not analysed or tagged, missing roots), and tag
    writes a killed run left unfinished (rolled back here, as `calmtune tag` does).

    With --repair, a damaged index is rebuilt from the music files first; no music file is
    written. Exits 0 when all is well, 1 otherwise. --json writes a list of
    {"name", "ok", "warning", "detail", "fix"}.
    """
    from calmtune import health
    from calmtune.errors import CalmtuneError

    settings_check = health.check_settings(
        lambda: app.settings, app.config_file or app.paths.settings_file
    )
    roots: list[str] = []
    try:
        driver = app.settings.get("playback", "driver")
        mood_settings = app.mood_settings
        roots = list(app.settings.get("library", "roots", []))
    except CalmtuneError:  # a bad settings file is reported by the settings check
        driver = mood_settings = None
    repaired = []
    if repair:
        repaired = [
            health.repair_index(app.db_path, fallback_roots=roots, mood_settings=mood_settings)
        ]
    checks = [
        *repaired,
        health.check_python(),
        health.check_packages(),
        settings_check,
        health.check_audio(driver),
        health.check_formats(),
        health.check_ffmpeg(),
        *health.check_index(app.db_path, mood_settings),
        health.check_tag_journals(),
    ]
    if as_json:
        emit_json([c.to_json() for c in checks])
    else:
        from calmtune.ui.doctor_view import print_checks

        print_checks(app.console, checks)
    if not all(c.ok for c in checks):
        click.get_current_context().exit(1)
