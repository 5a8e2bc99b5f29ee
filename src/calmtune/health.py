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
    from calmtune import __version__

    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 11)
    detail = f"calmtune {__version__} on Python {version} ({sys.executable})"
    return Check("python", ok, detail, None if ok else "install Python 3.11 or newer")


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


def check_settings(load, path: Path | None = None) -> Check:
    """``load`` is a callable returning the Settings (so its errors are caught here)."""
    try:
        settings = load()
    except CalmtuneError as exc:
        where = path if path is not None else "the settings file"
        return Check(
            "settings",
            False,
            str(exc),
            f"edit {where} at the line named (or move it aside to use the defaults)",
        )
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


REBUILD_FIX = "run `calmtune doctor --repair` to rebuild it from your music files"


def check_index(db_path: Path, mood_settings=None) -> list[Check]:
    """Version, permissions, integrity, counts, tracks not analysed, and library roots that no
    longer exist. The damaged, newer or read-only cases are found without changing the index."""
    from calmtune.library.migrations import MIGRATIONS
    from calmtune.library.repair import inspect

    state = inspect(db_path)
    if not state.exists:
        return [
            Check(
                "index",
                True,
                f"{db_path} does not exist yet",
                "run `calmtune scan ~/Music`",
                warning=True,
            )
        ]
    if state.newer:
        return [
            Check(
                "index",
                False,
                f"{db_path} was written by a newer calmtune (schema {state.version}, this one "
                f"knows {len(MIGRATIONS)})",
                "upgrade calmtune, or use another --db",
            )
        ]
    if state.damaged:
        detail = state.error or "; ".join(state.problems[:3])
        return [Check("index", False, f"{db_path} is damaged: {detail}", REBUILD_FIX)]
    checks = []
    if not state.writable:
        checks.append(
            Check(
                "permissions",
                False,
                f"{db_path} is read-only for this user: scan, analyze, tag and sessions cannot "
                "record anything",
                f"make it and its folder writable (chmod u+w {db_path} {db_path.parent}), or "
                "use another --db",
            )
        )
    from calmtune.library import Library

    try:
        library = Library.open(db_path, mood_settings=mood_settings, create=False)
    except CalmtuneError as exc:  # e.g. an older schema that a read-only index cannot upgrade
        return [Check("index", False, str(exc)), *checks]
    with library:
        total = library.count()
        pending = len(library.tracks_needing_analysis()) if total else 0
        summary = Check(
            "index", True, f"{db_path}: {total} tracks, integrity ok (schema {state.version})"
        )
        checks.insert(0, summary)
        if total == 0:
            summary.fix = "run `calmtune scan ~/Music` to fill it"
            summary.warning = True
        untagged = count_untagged(library) if total else 0
        if untagged:
            checks.append(
                Check(
                    "tags",
                    True,
                    f"{untagged} of {total} tracks have a mood calmtune inferred but has not "
                    "written into the file",
                    "run `calmtune tag` (other players then see the mood too)",
                    warning=True,
                )
            )
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
        damaged = library.damaged()
        if damaged:
            listing = "; ".join(f"{path}: {why}" for path, why in damaged[:3])
            more = (
                f" (and {len(damaged) - 3} more: `calmtune show` on each)"
                if len(damaged) > 3
                else ""
            )
            checks.append(
                Check(
                    "damaged files",
                    False,
                    f"{len(damaged)} file(s) look damaged: {listing}{more}",
                    "replace them from a whole copy; until then calmtune plays and measures only "
                    "what they hold",
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


# -- audio device ------------------------------------------------------------------------------

AUDIO_PROBE_TIMEOUT = 15.0  # seconds; a healthy device opens in well under one
_PROBE_ENTRY = "from calmtune.health import audio_probe_child; audio_probe_child()"


def audio_probe_child() -> None:
    """Runs in the probe subprocess: open and close the device, write the verdict as JSON.

    The verdict goes to a file named on the command line, not to a pipe: a sound server that the
    probe autospawns would inherit a pipe and keep it open after the probe exits.
    """
    import json

    result = {"ok": False, "driver": os.environ.get("SDL_AUDIODRIVER") or "default", "message": ""}
    try:
        from calmtune.playback import probe_audio_device

        ok, driver, message = probe_audio_device()
        result.update(ok=bool(ok), driver=driver, message=message)
    except Exception as exc:  # report anything: doctor must say what went wrong, not crash
        result["message"] = f"{type(exc).__name__}: {exc}"
    with open(sys.argv[-1], "w", encoding="utf-8") as fh:
        json.dump(result, fh)


def check_audio(
    driver_setting: str | None = None,
    *,
    timeout: float = AUDIO_PROBE_TIMEOUT,
    command: list[str] | None = None,
) -> Check:
    """Whether an audio device opens (without playing), tried in a subprocess with a timeout.

    A hung sound server can block SDL's open call forever; in a child process that costs at most
    ``timeout`` seconds and never hangs doctor. ``driver_setting`` is ``[playback] driver``;
    ``SDL_AUDIODRIVER`` in the environment wins over it, as in the player. ``command`` replaces
    the probe (tests use it to stand in for a hanging server).
    """
    import json
    import subprocess
    import tempfile

    env = dict(os.environ)
    if driver_setting and not env.get("SDL_AUDIODRIVER"):
        env["SDL_AUDIODRIVER"] = driver_setting
    env.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    driver = env.get("SDL_AUDIODRIVER") or "default"
    with tempfile.TemporaryDirectory(prefix="calmtune-doctor-") as tmp:
        result_file = os.path.join(tmp, "probe.json")
        argv = [*(command or [sys.executable, "-c", _PROBE_ENTRY]), result_file]
        try:
            proc = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            return Check("audio", False, f"cannot start the audio probe: {exc}", _AUDIO_FIX)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return Check(
                "audio",
                False,
                f"opening the audio device with SDL driver '{driver}' did not finish within "
                f"{timeout:g} s: the sound server seems to hang",
                "restart it (`systemctl --user restart pipewire pipewire-pulse`, or "
                "`pulseaudio -k`), or try SDL_AUDIODRIVER=alsa",
            )
        try:
            with open(result_file, encoding="utf-8") as fh:
                verdict = json.load(fh)
        except (OSError, ValueError):
            return Check(
                "audio",
                False,
                f"the audio probe with SDL driver '{driver}' died (exit {proc.returncode})",
                _AUDIO_FIX,
            )
    if verdict.get("ok"):
        return Check("audio", True, verdict.get("message") or f"opens with '{verdict['driver']}'")
    return Check("audio", False, verdict.get("message") or "no audio device", _AUDIO_FIX)


_AUDIO_FIX = (
    "check that a sound server runs (`pactl info` or `wpctl status`); pick a driver with "
    "SDL_AUDIODRIVER=pipewire|pulseaudio|alsa or `driver` in [playback]; from cron, set "
    "XDG_RUNTIME_DIR (a `calmtune schedule` line does)"
)


# -- formats ------------------------------------------------------------------------------------


def check_formats() -> Check:
    """Which formats play and can be analysed: one decoder does both (libsndfile, else ffmpeg)."""
    from importlib.util import find_spec

    from calmtune.playback.formats import FFMPEG_FORMATS, NATIVE_FORMATS, playable_formats

    playable = playable_formats()
    libsndfile = find_spec("soundfile") is not None
    formats = [*NATIVE_FORMATS, *FFMPEG_FORMATS]
    usable = {f: playable[f] and (libsndfile or f in FFMPEG_FORMATS) for f in formats}
    plays = [f for f in formats if usable[f]]
    detail = f"plays and analyses {', '.join(plays) or 'nothing'}"
    missing = [f for f in formats if not usable[f]]
    if not missing:
        return Check("formats", True, detail)
    fixes = []
    if not all(playable[f] for f in FFMPEG_FORMATS):
        fixes.append("install ffmpeg")
    if not libsndfile:
        fixes.append("pip install soundfile")
    return Check(
        "formats",
        True,
        f"{detail}; cannot yet: {', '.join(missing)}",
        " and ".join(fixes) or None,
        warning=True,
    )


def repair_index(db_path: Path, *, fallback_roots: list[str], mood_settings=None) -> Check:
    """``doctor --repair``: rebuild a damaged index from the music files, keeping what can be
    read of it. An index that is sound, newer or merely read-only is left as it is."""
    from calmtune.library.repair import inspect, rebuild

    state = inspect(db_path)
    if not state.exists or not state.damaged:
        return Check("repair", True, f"{db_path} needs no rebuild")
    if state.newer:
        return Check("repair", False, "a newer calmtune's index is not rebuilt", "upgrade calmtune")
    if not os.access(db_path.parent, os.W_OK | os.X_OK):
        return Check(
            "repair",
            False,
            f"cannot rebuild {db_path}: its folder is read-only",
            f"make {db_path.parent} writable, then run `calmtune doctor --repair` again",
        )
    done = rebuild(db_path, fallback_roots=fallback_roots, mood_settings=mood_settings)
    kept = done.kept
    detail = (
        f"rebuilt {db_path} from {len(done.roots)} library root(s): {done.tracks} tracks; kept "
        f"{kept['analyses']} analyses, {kept['moods']} moods you set, {kept['preferences']} likes "
        f"and bans, {kept['sessions']} journal sessions; the damaged copy is {done.moved_to}"
    )
    if done.lost:
        detail += f"; could not read all of: {', '.join(done.lost)}"
    if not done.roots:
        return Check("repair", True, detail, "run `calmtune scan ~/Music` to fill it", warning=True)
    return Check("repair", True, detail)


def count_untagged(library) -> int:
    """Tracks with a confident inferred mood that is not written into the file yet."""
    return library.count_untagged()


def check_tag_journals(journal_dir: Path | None = None) -> Check:
    """Roll back tag writes a killed calmtune left unfinished, as `calmtune tag` does on start.

    Putting back the old bytes of a write that never finished is what any run should do on
    finding its journal, so doctor does it too rather than only report it."""
    from calmtune.tags import recover_interrupted_writes

    notes = recover_interrupted_writes(journal_dir)
    if not notes:
        return Check("tag writes", True, "no interrupted tag writes")
    detail = "; ".join(f"{note.path}: {note.action}" for note in notes)
    if any(note.retry for note in notes):
        return Check(
            "tag writes",
            False,
            detail,
            "make the file named (or calmtune's state folder) writable again, or mount its "
            "drive read-write, then run `calmtune doctor` again",
        )
    return Check("tag writes", True, detail, warning=True)
