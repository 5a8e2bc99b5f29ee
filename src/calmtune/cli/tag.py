"""``calmtune tag``: write moods (and measured BPM / ReplayGain) into the files' own tags."""

from __future__ import annotations

from pathlib import Path

import click

from calmtune.cli.context import AppContext
from calmtune.cli.options import emit_json, json_option
from calmtune.models import BPM_TAG_MIN_CONFIDENCE

_MOODS = ("calm", "upbeat", "focus")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--mood",
    type=click.Choice(_MOODS, case_sensitive=False),
    help="Set this mood by hand (it becomes the user's mood).",
)
@click.option(
    "--bpm",
    is_flag=True,
    help="Also write the measured tempo where the file has none, when its confidence is at "
    f"least {BPM_TAG_MIN_CONFIDENCE:g} (unsure tempi are skipped with a note).",
)
@click.option(
    "--replaygain", is_flag=True, help="Also write the measured ReplayGain where the file has none."
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace moods the user set (in calmtune or any tagger), and existing BPM/gain.",
)
@json_option
@click.pass_obj
def tag(
    app: AppContext,
    paths: tuple[Path, ...],
    mood: str | None,
    bpm: bool,
    replaygain: bool,
    dry_run: bool,
    force: bool,
    as_json: bool,
) -> None:
    """Write the mood into the files under PATHS (default: every indexed track).

    Uses the keys other taggers and players read. Without --mood, writes the inferred mood and
    skips files whose mood the user set; --mood never replaces a mood the user set in any tagger
    without --force. Writing tags keeps the track's measurements. Writes are safe: a failure or a
    kill leaves the old file or the new one, whole.
    """
    from calmtune.errors import CalmtuneError
    from calmtune.library.tagging import TagRequest, select_tracks, tag_tracks
    from calmtune.models import Mood
    from calmtune.ui.progress import progress_bar
    from calmtune.ui.tag_view import print_tag_report
    from calmtune.ui.text import printable

    library = app.open_library(write=True)
    request = TagRequest(
        mood=Mood(mood.lower()) if mood else None,
        bpm=bpm,
        replaygain=replaygain,
        force=force,
        dry_run=dry_run,
    )
    tracks, unmatched = select_tracks(library, [str(p) for p in paths])
    for path in unmatched:
        app.warn(f"no indexed tracks at {path} (run `calmtune scan` on it first)")
    if not tracks:
        raise CalmtuneError("no tracks to tag", hint="run `calmtune scan PATH` first")
    label = "Checking tags" if dry_run else "Tagging"
    with progress_bar(app.err_console, enabled=not (as_json or app.quiet)) as bar:
        report = tag_tracks(
            library,
            tracks,
            request,
            on_progress=lambda done, total: bar.update(label, done, total),
            # one line each, as soon as it is done: a killed run's write, rolled back
            on_recovered=lambda note: app.warn(f"{printable(note.path)}: {note.action}"),
        )
    if as_json:
        emit_json(report.to_json())
    else:
        console = app.console if not app.quiet else app.err_console
        print_tag_report(console, report, verbose=app.verbose > 0)
