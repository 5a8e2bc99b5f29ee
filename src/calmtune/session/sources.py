"""What a session plays: a recipe's playlist, playlist files, audio files, folders, or the
built-in soundscape. Everything becomes a list of ``PlayItem``; problems become warnings, so one
bad entry never stops the rest (docs/design.md, "Errors and exit codes").
"""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from calmtune.errors import NothingToPlayError
from calmtune.playback import PlayItem
from calmtune.playlists.recipe import Recipe

PLAYLIST_SUFFIXES = (".m3u", ".m3u8", ".json")
HOW_TO_FILL = "add music with 'calmtune scan ~/Music'"


@dataclass(slots=True)
class Playable:
    """The items to play, what they came from, and what to tell the listener before it starts."""

    items: list[PlayItem]
    label: str  # the journal's "recipe" column
    recipe: Recipe | None = None
    soundscape: bool = False
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty: NothingToPlayError | None = None  # raise it after showing the warnings
    bed_lufs: float | None = None  # how loud the planner wants a soundscape bed heard, if one plays

    def require_items(self) -> None:
        """Raise ``NothingToPlayError`` (exit 4) when nothing is left to play."""
        if not self.items:
            raise self.empty or NothingToPlayError("nothing to play", hint=HOW_TO_FILL)


def recipe_items(
    library: Any,
    recipe: Recipe,
    *,
    duration: float | None = None,
    start_arousal: float | None = None,
    seed: int | None = None,
    target_lufs: float | None = None,
    overlap: float | None = None,
) -> Playable:
    """Build ``recipe``'s playlist from the index (as ``calmtune playlist build`` does), planned
    to cover ``duration`` (the session fades the last track out at its end). ``target_lufs`` is
    the session's level and ``overlap`` its crossfade (default: the recipe's; see
    ``playlists.builder.plan_playlist``).

    Raises ``NothingToPlayError`` (exit 4) when no indexed track fits the recipe.
    """
    from calmtune.playlists.indexed import build_from_index

    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    result = build_from_index(
        library,
        recipe,
        duration=duration,
        seed=seed,
        start_arousal=start_arousal,
        target_lufs=target_lufs,
        cover=duration is not None,
        overlap=overlap,
    )
    if not result.tracks and duration is not None and duration < recipe.duration:
        # A session shorter than any track: plan the recipe's full arc and let the session's
        # clock fade it out, rather than play nothing.
        result = build_from_index(library, recipe, seed=seed, start_arousal=start_arousal)
    items = [PlayItem.from_track(t) for t in result.tracks if t.playable]
    unplayable = len(result.tracks) - len(items)
    notes = list(result.notes)
    if unplayable:
        notes.append(f"{unplayable} track(s) need ffmpeg to play and were left out")
    return Playable(items, recipe.name, recipe=recipe, notes=notes, bed_lufs=result.bed_lufs)


def soundscape_item(cache_dir: str | Path) -> PlayItem:
    """The built-in soundscape as a looping item, with its measured loudness (so it plays at
    the session's target like any track)."""
    from calmtune.playback.soundscape import DEFAULT_SECONDS, LOUDNESS_LUFS, ensure_soundscape

    path = ensure_soundscape(cache_dir)
    return PlayItem(
        str(path),
        title="calmtune soundscape",
        duration=DEFAULT_SECONDS,
        loudness_lufs=LOUDNESS_LUFS,
        repeat=True,
    )


def soundscape_items(cache_dir: str | Path, label: str, recipe: Recipe | None = None) -> Playable:
    """The built-in soundscape, looped for the whole session (rendered once into the cache)."""
    return Playable([soundscape_item(cache_dir)], label, recipe=recipe, soundscape=True)


def soundscape_bed(
    cache_dir: str | Path,
    recipe: Recipe | None,
    timing: Any,
    *,
    heard_lufs: float | None = None,
    target_lufs: float | None = None,
) -> Callable[[], PlayItem] | None:
    """The bed that covers a calm session whose music runs out before its end (or whose picks
    all fail to play): the soundscape, for calm recipes with a set duration only.

    ``heard_lufs`` is how loud the planner wants it heard (no louder than the last track, so a
    calm session never steps up at the bed); with the session's ``target_lufs``, the bed's
    loudness is stated that much above its own so that the one gain rule (``levels.gain_db``)
    turns it down to that level.

    Returned as a function the player calls only if it needs the bed. A soundscape not rendered
    yet is rendered meanwhile on a thread (a few seconds of numpy), so neither the first sound
    nor the music waits for it.
    """
    if recipe is None or recipe.mood != "calm" or timing.duration is None:
        return None
    import threading

    from calmtune.playback.soundscape import soundscape_path

    render = None
    if not soundscape_path(cache_dir).exists():
        render = threading.Thread(target=_render_quietly, args=(cache_dir,), daemon=True)
        render.start()

    def bed() -> PlayItem:
        if render is not None:
            render.join()
        item = soundscape_item(cache_dir)
        if heard_lufs is not None and target_lufs is not None and heard_lufs < target_lufs:
            from dataclasses import replace

            extra = target_lufs - heard_lufs
            item = replace(item, loudness_lufs=(item.loudness_lufs or target_lufs) + extra)
        return item

    return bed


def _render_quietly(cache_dir: str | Path) -> None:
    from calmtune.playback.soundscape import ensure_soundscape

    with contextlib.suppress(OSError):  # the player says so if the bed cannot be opened
        ensure_soundscape(cache_dir)


def loudness_meter(samples: Any, rate: int) -> float | None:
    """Integrated loudness (BS.1770) for the player's pre-scan of a track the index has not
    measured. Imported on first use: most sessions never need it."""
    from calmtune.analysis.loudness import integrated_loudness

    return integrated_loudness(samples, rate)


def resolve_sources(
    sources: Sequence[str],
    *,
    library: Any,
    recipes: Mapping[str, Recipe],
    duration: float | None = None,
    shuffle: bool = False,
    seed: int | None = None,
) -> Playable:
    """``calmtune play SOURCE...``: recipes, saved playlists, playlist files (``.m3u``,
    ``.m3u8``, calmtune's ``.json``), audio files and folders.

    An existing path wins over a recipe of the same name, and a recipe over a saved playlist. With no source, the whole index plays.
    When nothing playable is left, ``items`` is empty and ``require_items`` raises; the caller
    shows the warnings first, since they say why.
    """
    from calmtune.playlists.saved import saved_path
    from calmtune.tags import AUDIO_EXTENSIONS

    items: list[PlayItem] = []
    warnings: list[str] = []
    notes: list[str] = []
    first_recipe: Recipe | None = None
    for source in sources:
        if os.path.isdir(source):
            items.extend(_folder_items(source, library, AUDIO_EXTENSIONS, warnings))
        elif os.path.isfile(source):
            if source.lower().endswith(PLAYLIST_SUFFIXES):
                items.extend(_playlist_items(source, library, warnings))
            elif _extension(source) in AUDIO_EXTENSIONS:
                items.append(_item_for(os.path.abspath(source), library))
            else:
                warnings.append(f"skipped {source}: not an audio file or playlist")
        elif os.path.lexists(source) and source not in recipes:
            from calmtune.userfiles import regular_file_problem

            warnings.append(f"skipped {source}: {regular_file_problem(source) or 'unreadable'}")
        elif source in recipes:
            built = recipe_items(library, recipes[source], duration=duration, seed=seed)
            items.extend(built.items)
            notes.extend(built.notes)
            first_recipe = first_recipe or built.recipe
        elif (saved := saved_path(source)) is not None:
            items.extend(_playlist_items(str(saved), library, warnings))
        elif "://" in source:
            warnings.append(f"skipped {source}: streams and URLs are not played")
        else:
            warnings.append(f"skipped {source}: no such file, folder, recipe or saved playlist")
    empty = None
    if not sources:
        items = [PlayItem.from_track(t) for t in library.iter_tracks() if t.playable]
        empty = NothingToPlayError("the library is empty", hint=HOW_TO_FILL)
    elif not items:
        empty = NothingToPlayError(
            "nothing to play in " + ", ".join(sources),
            hint="name audio files, folders, playlists, a saved playlist or a recipe "
            "(see 'calmtune playlist list' and 'calmtune playlist recipes')",
        )
    if shuffle:
        random.Random(seed).shuffle(items)
    label = first_recipe.name if first_recipe and len(sources) == 1 else "play"
    return Playable(items, label, recipe=first_recipe, warnings=warnings, notes=notes, empty=empty)


def _extension(path: str) -> str:
    return os.path.splitext(path)[1].lower()  # with the dot, as AUDIO_EXTENSIONS holds them


def _item_for(path: str, library: Any) -> PlayItem:
    """An indexed file plays with its tags, mood and loudness; any other file plays as it is."""
    track = library.get_track(path) if library is not None else None
    if track is not None:
        return PlayItem.from_track(track)
    return PlayItem(path)


def _folder_items(
    folder: str, library: Any, extensions: frozenset[str], warnings: list[str]
) -> list[PlayItem]:
    from calmtune.library.walk import WalkResult, walk_audio

    found = WalkResult()
    walk_audio(os.path.abspath(folder), extensions, found)
    for problem in found.problems:
        warnings.append(f"skipped {problem.path}: {problem.error}")
    if not found.files:
        warnings.append(f"skipped {folder}: no audio files in it")
    return [_item_for(f.path, library) for f in sorted(found.files, key=lambda f: f.path)]


def _playlist_items(path: str, library: Any, warnings: list[str]) -> list[PlayItem]:
    from calmtune.errors import PlaylistError
    from calmtune.playlists.jsonio import read_playlist

    try:
        parsed = read_playlist(path)
    except PlaylistError as err:
        warnings.append(f"skipped {err}")
        return []
    warnings.extend(parsed.warnings)
    items = []
    for entry in parsed.entries:
        item = _item_for(entry.path, library)
        if item.track is None and entry.title:
            item = PlayItem(entry.path, title=entry.title, duration=entry.duration)
        items.append(item)
    return items
