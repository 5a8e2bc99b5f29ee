"""``calmtune scan``: index the music library."""

from __future__ import annotations

from pathlib import Path

import click

from calmtune.cli.context import AppContext
from calmtune.cli.options import emit_json, jobs_option, json_option


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@jobs_option("Processes that read tags in parallel (default: the number of cores).")
@click.option(
    "--analyze", is_flag=True, help="Also measure tempo and loudness of tracks that lack it."
)
@json_option
@click.pass_obj
def scan(
    app: AppContext, paths: tuple[Path, ...], jobs: int | None, analyze: bool, as_json: bool
) -> None:
    """Index audio files under PATHS (default: the library roots).

    Each folder among PATHS is remembered as a library root (see `calmtune roots`). Only new and
    changed files are read; vanished files are dropped from the index; unreadable files, FIFOs and
    devices are listed with the reason and never stop the scan.
    """
    from calmtune.library.scanner import scan as run_scan
    from calmtune.ui.progress import progress_bar, wants_progress
    from calmtune.ui.scan_view import describe_phase, print_scan_report

    library = app.open_library(write=True)
    roots = [str(p) for p in paths] or _default_roots(app, library)
    jobs = jobs or app.settings.get("library", "jobs")
    show_progress = wants_progress(json_output=as_json, quiet=app.quiet)
    with progress_bar(app.err_console if show_progress else None) as bar:
        report = run_scan(
            library,
            roots,
            jobs=jobs,
            on_progress=lambda p: bar.update(describe_phase(p.phase), p.done, p.total or None),
        )
    if analyze:
        _analyze_after_scan(app, jobs, as_json)
    if as_json:
        emit_json(report.to_json())
    else:
        print_scan_report(
            app.console if not app.quiet else app.err_console, report, quiet=app.quiet
        )


def _default_roots(app: AppContext, library) -> list[str]:
    """The remembered roots; on a first run, the settings' roots or the user's music folder."""
    roots = library.roots() or list(app.settings.get("library", "roots", []))
    if roots:
        return roots
    import platformdirs

    music = Path(platformdirs.user_music_dir())
    app.say(f"No library yet: scanning your music folder {music}.")
    return [str(music)]


def _analyze_after_scan(app: AppContext, jobs: int | None, as_json: bool) -> None:
    from calmtune.cli.analyze import analyze_pending

    analyze_pending(app, jobs=jobs, quiet=as_json)
