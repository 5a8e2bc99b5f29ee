"""Receptive-playlist recipes: TOML files read with tomllib into immutable records.

A recipe says which tracks fit a listening goal (mood, score, tempo and loudness bands, genres,
pinned and banned tracks) and how to order them (the arc). Built-in recipes ship in the wheel as
``calmtune/recipes`` (the repository's ``playlists/`` folder); user recipes in
``<config dir>/recipes/*.toml`` add to them or replace one with the same name.

Every problem becomes a ``ConfigError`` naming the file, the field and what is allowed, because a
user editing a recipe by hand needs to know exactly what to change.
"""

# No `from __future__ import annotations`: NamedTuple fields compile string annotations (models.py).
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from calmtune import levels
from calmtune.durations import MAX_SECONDS, parse_duration
from calmtune.errors import ConfigError
from calmtune.models import Mood

if TYPE_CHECKING:
    from calmtune.query import Term

ARC_SHAPES = ("descending", "ascending", "steady")
DEFAULT_CROSSFADE = 3.0  # seconds: short enough to keep each track whole, long enough to be soft
# A calm session never gets louder by more than this between two tracks, as heard
# (docs/music.md, "Loudness"): the rule is not relaxed to fill a session.
CALM_MAX_LU_RISE = 1.0
RECEPTIVE_MOODS = tuple(m.value for m in Mood if m is not Mood.UNKNOWN)
ALL_MOODS = tuple(m.value for m in Mood)


# NamedTuples rather than frozen dataclasses, for start-up time (the figures are in models.py).
class Selection(NamedTuple):
    """Which tracks a recipe accepts. ``None`` bands mean "no limit"."""

    moods: tuple[str, ...] = ("calm",)  # stored moods accepted; "unknown" admits unscored tracks
    min_score: float = 0.0  # the recipe mood's score (0..1); a mood the user set always passes
    min_confidence: float = 0.0
    bpm: tuple[float, float] | None = None
    loudness: tuple[float, float] | None = None  # LUFS
    require_tempo: bool = False  # drop tracks whose tempo is unknown
    require_loudness: bool = False
    genres_include: tuple[str, ...] = ()  # case-insensitive substrings of the genre tag
    genres_exclude: tuple[str, ...] = ()
    pinned: tuple[str, ...] = ()  # paths or globs (see ``playlists.select.path_matcher``)
    banned: tuple[str, ...] = ()


class Arc(NamedTuple):
    """How tempo and loudness move through the playlist (the iso principle)."""

    shape: str = "steady"  # one of ARC_SHAPES
    start_bpm: float | None = None  # ideal tempo of the first track; None: from the candidates
    end_bpm: float | None = None
    max_bpm_step: float = 8.0  # largest tempo change between neighbours
    max_lu_step: float = 3.0  # largest change of heard loudness between neighbours (LU)
    # Largest step *up* in heard loudness between neighbours; ``None``: ``max_lu_step``. Never
    # relaxed to fill a session. A calm recipe's is at most CALM_MAX_LU_RISE.
    max_lu_rise: float | None = None


class Recipe(NamedTuple):
    """One recipe, validated. Times are in seconds."""

    name: str
    description: str
    mood: str  # the receptive mood the recipe aims at (calm, upbeat, focus)
    duration: float = 25 * 60.0
    fade_in: float = 5.0
    fade_out: float = 15.0
    wind_down: float = 0.0  # volume ramps down over this long before the end
    end_silence: float = 0.0  # silence after the last track (a pause lowers arousal further)
    crossfade: float = DEFAULT_CROSSFADE  # seconds two tracks overlap (not on a gapless album)
    target_lufs: float | None = None  # the level the session plays at; None: by mood (levels)
    artist_gap: int = 2  # the same artist is at least this many positions apart (1 = not adjacent)
    album_gap: int = 2
    avoid_recent: bool = True
    select: Selection = Selection()
    arc: Arc = Arc()
    query: tuple["Term", ...] = ()  # query terms (``calmtune.query``) that narrow the pool
    source: str = "builtin"  # "builtin" or "user"
    path: str | None = None


_TOP_KEYS = {
    "description",
    "mood",
    "duration",
    "fade_in",
    "fade_out",
    "wind_down",
    "end_silence",
    "crossfade",
    "target_lufs",
    "artist_gap",
    "album_gap",
    "avoid_recent",
    "select",
    "arc",
    "query",
}
_SELECT_KEYS = set(Selection._fields)
_ARC_KEYS = set(Arc._fields)


class _Reader:
    """Typed access to one TOML table that reports errors with file and dotted field name."""

    def __init__(self, file: str, table: dict[str, Any], prefix: str, allowed: set[str]) -> None:
        self.file, self.table, self.prefix = file, table, prefix
        unknown = sorted(set(table) - allowed)
        if unknown:
            self.fail(unknown[0], "is not a recipe field", f"one of {', '.join(sorted(allowed))}")

    def fail(self, key: str, problem: str, allowed: str) -> None:
        raise ConfigError(f"{self.file}: field '{self.prefix}{key}' {problem}; allowed: {allowed}")

    def number(self, key: str, default: Any, lo: float | None = None, hi: float | None = None):
        if key not in self.table:
            return default
        value = self.table[key]
        rng = f"a number{_range_text(lo, hi)}"
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            self.fail(key, f"is {value!r}", rng)  # value != value: TOML's nan
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.fail(key, f"is {value!r}", rng)
        return float(value)

    def integer(self, key: str, default: int, lo: int, hi: int) -> int:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self.fail(key, f"is {value!r}", f"a whole number from {lo} to {hi}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, f"is {value!r}", "true or false")
        return value

    def text(self, key: str, default: str | None) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str):
            self.fail(key, f"is {value!r}" if key in self.table else "is missing", "a text string")
        return value

    def choice(self, key: str, default: str | None, choices: tuple[str, ...]) -> str:
        value = self.table.get(key, default)
        if value not in choices:
            problem = f"is {value!r}" if key in self.table else "is missing"
            self.fail(key, problem, ", ".join(choices))
        return value

    def duration(self, key: str, default: float) -> float:
        if key not in self.table:
            return default
        value = self.table[key]
        try:
            seconds = parse_duration(value)
        except ValueError:
            seconds = None
        if seconds is None or seconds > MAX_SECONDS:
            self.fail(key, f"is {value!r}", 'a duration up to 24h such as "90s", "20m", "1h15m"')
        return seconds

    def strings(self, key: str, default: tuple[str, ...], choices=None) -> tuple[str, ...]:
        if key not in self.table:
            return default
        value = self.table[key]
        allowed = f"a list of: {', '.join(choices)}" if choices else "a list of text strings"
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, f"is {value!r}", allowed)
        if choices:
            bad = [v for v in value if v not in choices]
            if bad:
                self.fail(key, f"holds {bad[0]!r}", allowed)
        return tuple(value)

    def band(self, key: str, lo: float, hi: float) -> tuple[float, float] | None:
        if key not in self.table:
            return None
        value = self.table[key]
        allowed = f"[low, high] with {lo} <= low <= high <= {hi}"
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            and lo <= value[0] <= value[1] <= hi
        )
        if not ok:
            self.fail(key, f"is {value!r}", allowed)
        return (float(value[0]), float(value[1]))

    def query(self, key: str) -> tuple["Term", ...]:
        """A query string (docs/cli.md, "Queries") as terms."""
        if key not in self.table:
            return ()
        text = self.text(key, None)
        from calmtune.query import QueryError, parse_query

        try:
            return parse_query(text)
        except QueryError as err:
            self.fail(key, f"has {err.message}", "query terms such as 'artist:kaufman bpm:60..80'")
        raise AssertionError  # unreachable; fail() raises

    def subtable(self, key: str) -> dict[str, Any]:
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            self.fail(key, f"is {value!r}", f"a table ([{key}])")
        return value


def _range_text(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f" from {lo:g} to {hi:g}"
    if lo is not None:
        return f" of at least {lo:g}"
    return ""


def parse_recipe(data: dict[str, Any], *, name: str, file: str, source: str = "builtin") -> Recipe:
    """Validate one recipe's TOML data. ``file`` is only used in error messages."""
    top = _Reader(file, data, "", _TOP_KEYS)
    mood = top.choice("mood", None, RECEPTIVE_MOODS)
    sel = _Reader(file, top.subtable("select"), "select.", _SELECT_KEYS)
    selection = Selection(
        moods=sel.strings("moods", (mood,), ALL_MOODS),
        min_score=sel.number("min_score", 0.0, 0.0, 1.0),
        min_confidence=sel.number("min_confidence", 0.0, 0.0, 1.0),
        bpm=sel.band("bpm", 20.0, 300.0),
        loudness=sel.band("loudness", -70.0, 0.0),
        require_tempo=sel.boolean("require_tempo", False),
        require_loudness=sel.boolean("require_loudness", False),
        genres_include=tuple(g.lower() for g in sel.strings("genres_include", ())),
        genres_exclude=tuple(g.lower() for g in sel.strings("genres_exclude", ())),
        pinned=sel.strings("pinned", ()),
        banned=sel.strings("banned", ()),
    )
    if not selection.moods:
        sel.fail("moods", "is empty", f"a list of: {', '.join(ALL_MOODS)}")
    arc_t = _Reader(file, top.subtable("arc"), "arc.", _ARC_KEYS)
    arc = Arc(
        shape=arc_t.choice("shape", "steady", ARC_SHAPES),
        start_bpm=arc_t.number("start_bpm", None, 20.0, 300.0),
        end_bpm=arc_t.number("end_bpm", None, 20.0, 300.0),
        max_bpm_step=arc_t.number("max_bpm_step", 8.0, 0.5, 100.0),
        max_lu_step=arc_t.number("max_lu_step", 3.0, 0.1, 40.0),
        max_lu_rise=arc_t.number("max_lu_rise", None, 0.0, 40.0),
    )
    if mood == "calm" and (arc.max_lu_rise or 0.0) > CALM_MAX_LU_RISE:
        arc_t.fail(
            "max_lu_rise",
            f"is {arc.max_lu_rise:g}",
            f"at most {CALM_MAX_LU_RISE:g} for a calm recipe (calm never steps up more than that)",
        )
    both = arc.start_bpm is not None and arc.end_bpm is not None
    if both and arc.shape == "descending" and arc.start_bpm < arc.end_bpm:
        arc_t.fail("end_bpm", "is above start_bpm", "end_bpm <= start_bpm for a descending arc")
    if both and arc.shape == "ascending" and arc.start_bpm > arc.end_bpm:
        arc_t.fail("end_bpm", "is below start_bpm", "end_bpm >= start_bpm for an ascending arc")
    duration = top.duration("duration", 25 * 60.0)
    if duration <= 0:
        top.fail("duration", "is zero", "a duration above zero")
    return Recipe(
        name=name,
        description=top.text("description", None).strip(),
        mood=mood,
        duration=duration,
        fade_in=top.number("fade_in", 5.0, 0.0, 600.0),
        fade_out=top.number("fade_out", 15.0, 0.0, 1800.0),
        wind_down=top.duration("wind_down", 0.0),
        end_silence=top.duration("end_silence", 0.0),
        crossfade=top.number("crossfade", DEFAULT_CROSSFADE, 0.0, 30.0),
        target_lufs=top.number("target_lufs", None, *levels.TARGET_RANGE),
        artist_gap=top.integer("artist_gap", 2, 0, 20),
        album_gap=top.integer("album_gap", 2, 0, 20),
        avoid_recent=top.boolean("avoid_recent", True),
        select=selection,
        arc=arc,
        query=top.query("query"),
        source=source,
        path=file,
    )


def load_recipe(path: str | Path, *, source: str = "user") -> Recipe:
    """Read and validate one recipe file; its name is the file name without ``.toml``."""
    from calmtune.tomlfiles import InvalidToml, read_toml

    path = Path(path)
    try:
        data, _ = read_toml(path)
    except InvalidToml as err:
        # tomllib's message ends with "(at line N, column M)", which is what the user needs.
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 text ({err.reason})") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read recipe: {err.strerror or err}") from None
    return parse_recipe(data, name=path.stem, file=str(path), source=source)


def builtin_recipes_dir() -> Path:
    """The folder of built-in recipes, from an installed wheel or from a source checkout.

    The wheel carries them as ``calmtune/recipes`` (pyproject force-include). Hatch's editable
    install only puts ``src/`` on the path and does not copy force-included folders, so in a
    checkout they are read from the repository's ``playlists/`` folder instead.
    """
    package_dir = Path(__file__).resolve().parent.parent
    installed = package_dir / "recipes"
    if installed.is_dir():
        return installed
    checkout = package_dir.parent.parent / "playlists"
    if checkout.is_dir():
        return checkout
    raise ConfigError(
        f"built-in recipes are missing (looked in {installed} and {checkout})",
        hint="reinstall calmtune",
    )


def recipe_files(user_dir: str | Path | None = None) -> list[tuple[Path, str]]:
    """Every recipe file with its source ("builtin" or "user"), built-in ones first, so a user
    recipe later in the list wins over a built-in one of the same name."""
    files = [(p, "builtin") for p in recipe_files_in(builtin_recipes_dir())]
    if user_dir is not None:
        files += [(p, "user") for p in recipe_files_in(Path(user_dir))]
    return files


def load_recipes(
    user_dir: str | Path | None = None, *, problems: dict[str, ConfigError] | None = None
) -> dict[str, Recipe]:
    """All recipes by name: the built-in ones, then the user's, which win on a shared name.

    ``user_dir`` is ``<config dir>/recipes``; a missing folder simply adds nothing. Without
    ``problems`` the first recipe that does not load raises its ``ConfigError``; with it, such a
    recipe is left out and its error kept there by name, so one broken file does not hide the
    others. A broken user recipe also hides the built-in one of the same name, since that name
    now means the user's file (``get_recipe`` reads it).
    """
    recipes: dict[str, Recipe] = {}
    for path, source in recipe_files(user_dir):
        try:
            recipes[path.stem] = load_recipe(path, source=source)
        except ConfigError as err:
            if problems is None:
                raise
            recipes.pop(path.stem, None)
            problems[path.stem] = err
        else:
            if problems is not None:
                problems.pop(path.stem, None)
    return dict(sorted(recipes.items()))


def get_recipe(name: str, user_dir: str | Path | None = None) -> Recipe:
    """One recipe by name (the user's file wins), or a ``ConfigError`` listing the names that
    exist. Only that recipe's file is read: a broken recipe elsewhere does not stop this one."""
    if name and "/" not in name and "\\" not in name and not name.startswith("."):
        folders = [(Path(user_dir), "user")] if user_dir is not None else []
        for folder, source in [*folders, (builtin_recipes_dir(), "builtin")]:
            path = folder / f"{name}.toml"
            if path.is_file():
                return load_recipe(path, source=source)
    names = sorted({path.stem for path, _ in recipe_files(user_dir)})
    raise ConfigError(
        f"no recipe named {name!r}; available: {', '.join(names)}",
        hint="see 'calmtune playlist recipes'",
    )


def recipe_files_in(folder: Path) -> list[Path]:
    """The recipe files in ``folder``. Hidden names are editor leftovers (Emacs locks such as
    ``.#calm.toml``), not recipes."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.toml") if not p.name.startswith(".") and p.is_file())
