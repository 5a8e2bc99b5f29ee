"""``calmtune doctor``'s checks: each returns a ``Check`` saying what is wrong and how to fix it.

Nothing here prints; the CLI shows the results.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from calmtune.errors import CalmtuneError


@dataclass(slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None
    # A warning is worth saying but does not make doctor fail (e.g. no ffmpeg).
    warning: bool = False

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "ok": self.ok,
            "warning": self.warning,
            "detail": self.detail,
            "fix": self.fix,
        }


RUNTIME_PACKAGES = ("click", "pygame-ce", "mutagen", "rich", "numpy", "platformdirs")


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 11)
    return Check("python", ok, f"Python {version}", None if ok else "install Python 3.11 or newer")


def check_packages() -> Check:
    from importlib.metadata import PackageNotFoundError, version

    found, missing = [], []
    for name in RUNTIME_PACKAGES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            missing.append(name)
    if missing:
        return Check(
            "packages",
            False,
            f"missing: {', '.join(missing)}",
            f"pip install {' '.join(missing)} (or reinstall calmtune)",
        )
    return Check("packages", True, ", ".join(found))


def check_settings(load) -> Check:
    """``load`` is a callable returning the Settings (so its errors are caught here)."""
    try:
        settings = load()
    except CalmtuneError as exc:
        return Check("settings", False, str(exc), "fix or remove the settings file")
    if settings.source is None:
        return Check("settings", True, "no settings file (defaults in use)")
    return Check("settings", True, f"{settings.source} is valid")


def check_ffmpeg() -> Check:
    path = shutil.which("ffmpeg")
    if path:
        return Check("ffmpeg", True, f"{path}: M4A/AAC and WMA can be analysed and played")
    return Check(
        "ffmpeg",
        True,
        "not found: M4A/AAC and WMA files are indexed and tagged but cannot be played or analysed",
        "install ffmpeg (e.g. `sudo apt install ffmpeg`) to play them",
        warning=True,
    )


def check_index(db_path: Path, mood_settings=None) -> list[Check]:
    """Integrity, counts, tracks not analysed, and library roots that no longer exist."""
    if not db_path.exists():
        return [
            Check(
                "index",
                True,
                f"{db_path} does not exist yet",
                "run `calmtune scan ~/Music`",
                warning=True,
            )
        ]
    from calmtune.library import Library

    try:
        library = Library.open(db_path, mood_settings=mood_settings)
    except CalmtuneError as exc:
        return [
            Check(
                "index",
                False,
                str(exc),
                f"move {db_path} aside and run `calmtune scan` to rebuild it",
            )
        ]
    with library:
        problems = library.integrity_problems()
        if problems:
            return [
                Check(
                    "index",
                    False,
                    f"{db_path} is damaged: {problems[0]}",
                    f"move {db_path} aside and run `calmtune scan` to rebuild it",
                )
            ]
        total = library.count()
        pending = len(library.tracks_needing_analysis()) if total else 0
        checks = [Check("index", True, f"{db_path}: {total} tracks, integrity ok")]
        if total == 0:
            checks[0].fix = "run `calmtune scan ~/Music` to fill it"
            checks[0].warning = True
        if pending:
            checks.append(
                Check(
                    "analysis",
                    True,
                    f"{pending} of {total} tracks not analysed yet",
                    "run `calmtune analyze` (moods get better with measured tempo and loudness)",
                    warning=True,
                )
            )
        missing = [r for r in library.roots() if not os.path.exists(r)]
        if missing:
            checks.append(
                Check(
                    "roots",
                    False,
                    f"library root(s) missing: {', '.join(missing)}",
                    "mount the drive, or rescan with the new folder",
                )
            )
        else:
            checks.append(Check("roots", True, f"{len(library.roots())} library root(s) present"))
        return checks
