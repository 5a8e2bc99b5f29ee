"""``calmtune analyze``: measure tempo, loudness and energy, and keep the results in the index.

Each result is stored as soon as its worker hands it back, keyed to the file's size and mtime at
the start of its analysis: an unchanged file is never analysed twice, and a run that is killed
resumes where it stopped. ``scan --analyze`` calls ``analyze_pending``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from calmtune.cli.context import AppContext
from calmtune.cli.options import emit_json, jobs_option, json_option

if TYPE_CHECKING:
    from calmtune.library import Library
    from calmtune.models import Features, Track


@dataclass
class AnalyzeReport:
    analyzed: list[tuple[str, Features]] = field(default_factory=list)
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "analyzed": [
                {
                    "path": path,
                    "bpm": f.bpm,
                    "bpm_confidence": f.bpm_confidence,
                    "loudness_lufs": f.loudness_lufs,
                    "peak_dbfs": f.peak_dbfs,
                    "replaygain_track_gain": f.replaygain_track_gain,
                }
                for path, f in self.analyzed
            ],
            "skipped": self.skipped,
            "failed": [{"path": path, "error": error} for path, error in self.failed],
        }


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@jobs_option("Worker processes that analyse in parallel (default: the number of cores).")
@click.option(
    "--force", is_flag=True, help="Analyse again even when the index holds a result for the file."
)
@json_option
@click.pass_obj
def analyze(
    app: AppContext, paths: tuple[Path, ...], jobs: int | None, force: bool, as_json: bool
) -> None:
    """Measure tempo (BPM), loudness (LUFS), peak and energy of tracks and store them.

    Without PATHS: every indexed track not analysed yet. PATHS (files or folders) are indexed
    first when needed. Results are kept for the file's size and modification time, so unchanged
    files are skipped (unless --force) and an interrupted run resumes where it stopped.
    """
    library = app.open_library(write=True)
    scan_failures: list[tuple[str, str]] = []
    if paths:
        considered = _tracks_under(library, [os.path.abspath(p) for p in paths], scan_failures)
        needing = {t.path for t in library.tracks_needing_analysis()}
        pending = considered if force else [t for t in considered if t.path in needing]
        skipped = len(considered) - len(pending)
    else:
        pending = (
            list(library.iter_tracks(sort="path")) if force else library.tracks_needing_analysis()
        )
        skipped = library.count() - len(pending)
    report = run_analysis(app, library, pending, jobs=jobs, progress=not as_json)
    report.skipped = skipped
    report.failed[:0] = scan_failures
    if as_json:
        emit_json(report.to_json())
    else:
        print_report(app, report)


def analyze_pending(app: AppContext, *, jobs: int | None = None, quiet: bool = False):
    """Analyse every indexed track that has no result for its current contents (scan --analyze).

    Shows a progress bar unless ``quiet``; prints one summary line on stderr (none when quiet).
    """
    library = app.open_library(write=True)
    report = run_analysis(
        app, library, library.tracks_needing_analysis(), jobs=jobs, progress=not quiet
    )
    if not quiet:
        app.say(_summary(report))
        for path, error in report.failed:
            app.say(f"  {_printable(path)}: {_printable(error)}")
    return report


def run_analysis(
    app: AppContext, library: Library, tracks: list[Track], *, jobs: int | None, progress: bool
) -> AnalyzeReport:
    """Analyse ``tracks`` in worker processes, storing each result as it arrives."""
    from calmtune.analysis import analyze_many
    from calmtune.ui.progress import progress_bar, wants_progress

    report = AnalyzeReport()
    identities: dict[str, tuple[int, int]] = {}
    to_run: list[str] = []
    for track in tracks:
        try:
            stat = os.stat(track.path)
        except OSError as exc:
            report.failed.append((track.path, f"cannot analyse {track.path}: {exc.strerror}"))
            continue
        identities[track.path] = (stat.st_size, stat.st_mtime_ns)
        to_run.append(track.path)
    jobs = jobs or app.settings.get("library", "jobs") or os.cpu_count() or 1
    show = progress and wants_progress(json_output=False, quiet=app.quiet)
    total = len(to_run)
    with progress_bar(app.err_console if show else None) as bar:
        bar.update("Analysing", 0, total)

        def on_result(path: str, features: Features | None, error: str | None) -> None:
            size, mtime_ns = identities[path]
            library.store_features(path, size, mtime_ns, features, error)
            if features is not None:
                report.analyzed.append((path, features))
            else:
                report.failed.append((path, error or "analysis failed"))
            bar.update("Analysing", len(report.analyzed) + len(report.failed), total)

        analyze_many(to_run, jobs=jobs, on_result=on_result)
    return report


def _tracks_under(
    library: Library, paths: list[str], failures: list[tuple[str, str]]
) -> list[Track]:
    """Indexed tracks at or under ``paths``, indexing those paths first (new or changed files);
    files that cannot be indexed are added to ``failures``."""
    from calmtune.library.scanner import scan

    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise click.BadParameter(f"no such file or folder: {missing[0]}", param_hint="PATH")
    scanned = scan(library, paths, remember=False)  # analysing a folder does not adopt it
    failures.extend((f.path, f.error) for f in scanned.failed)
    prefixes = [p if os.path.isfile(p) else os.path.join(p, "") for p in paths]
    return [
        track
        for track in library.iter_tracks(sort="path")
        if any(track.path == p or track.path.startswith(p) for p in prefixes)
    ]


def _summary(report: AnalyzeReport) -> str:
    return (
        f"Analysed {len(report.analyzed)} track(s), {report.skipped} skipped (already analysed), "
        f"{len(report.failed)} failed."
    )


def print_report(app: AppContext, report: AnalyzeReport) -> None:
    """The summary for people on stdout (unless --quiet); failures always, on stderr."""
    if not app.quiet:
        click.echo(_summary(report))
        if app.verbose:
            for path, features in report.analyzed:
                click.echo(f"  {_printable(path)}: {_describe(features)}")
    if report.failed:
        click.echo(f"{len(report.failed)} file(s) could not be analysed:", err=True)
        for path, error in report.failed:
            click.echo(f"  {_printable(path)}: {_printable(error)}", err=True)


def _describe(features: Features) -> str:
    if features.silent:
        return "silent"
    bpm = f"{features.bpm:.1f} BPM" if features.bpm is not None else "no steady tempo"
    lufs = f"{features.loudness_lufs:.1f} LUFS" if features.loudness_lufs is not None else "-"
    return f"{bpm}, {lufs}"


def _printable(text: str) -> str:
    from calmtune.ui.text import printable

    return printable(text)
