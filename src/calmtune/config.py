"""Where calmtune keeps its files, and the user's settings file.

``CALMTUNE_HOME=DIR`` puts everything (settings, index, journal, caches, logs) under DIR; tests always
set it. Without it the platform's user directories are used (platformdirs). The settings file is TOML;
a broken one is reported with the file, the line and the key.
"""

# No `from __future__ import annotations`: NamedTuple fields compile string annotations (models.py).
import os
import re
from pathlib import Path
from typing import Any, NamedTuple

from calmtune.errors import ConfigError

APP_NAME = "calmtune"
SETTINGS_FILE_NAME = "settings.toml"
DB_FILE_NAME = "library.db"


class Paths(NamedTuple):
    """The folders calmtune writes to. None of them is ever inside the user's music folder.

    A NamedTuple, not a frozen dataclass, for start-up time (the figures are in models.py)."""

    config_dir: Path
    data_dir: Path
    state_dir: Path
    cache_dir: Path

    @classmethod
    def discover(cls) -> "Paths":
        home = os.environ.get("CALMTUNE_HOME")
        if home:
            root = Path(home).expanduser().absolute()
            return cls(root, root, root / "state", root / "cache")
        import platformdirs  # imported here: only needed without CALMTUNE_HOME

        dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
        return cls(
            Path(dirs.user_config_dir),
            Path(dirs.user_data_dir),
            Path(dirs.user_state_dir),
            Path(dirs.user_cache_dir),
        )

    @property
    def settings_file(self) -> Path:
        return self.config_dir / SETTINGS_FILE_NAME

    @property
    def default_db(self) -> Path:
        return self.data_dir / DB_FILE_NAME

    @property
    def recipes_dir(self) -> Path:
        return self.config_dir / "recipes"


# The settings calmtune understands: section -> key -> (type check, description of what is allowed).
# Sections owned by other packages (e.g. ``[mood]``) are kept as raw tables and validated there.
def _percent(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _duration(value: Any) -> bool:
    from calmtune.durations import MAX_SECONDS, parse_duration

    try:
        return parse_duration(value) <= MAX_SECONDS
    except ValueError:
        return False


def _non_negative_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _number_in(lo: float, hi: float):
    """A check for a number from ``lo`` to ``hi``; ``nan`` fails it (every comparison is false)."""

    def check(value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool) and lo <= value <= hi

    return check


def _whole_number_in(lo: int, hi: int):
    def check(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi

    return check


def _driver_name(value: Any) -> bool:
    """An SDL audio driver name, SDL's comma-separated list of them to try in turn, or "" for
    SDL's default. It goes into the environment (``SDL_AUDIODRIVER``), which cannot hold a NUL
    byte, and into messages."""
    return isinstance(value, str) and bool(re.fullmatch(r"([\w-]+(,[\w-]+)*)?", value, re.ASCII))


# Sample rates SDL's drivers open (telephone to studio rates). Far outside, SDL may accept the
# number and then stall: at 1 Hz the mixer never drains and closing it hangs for ever.
FREQUENCY_RANGE = (8000, 192000)


_SCHEMA: dict[str, dict[str, tuple[Any, str]]] = {
    "library": {
        "roots": (_string_list, "a list of folder paths"),
        "jobs": (_whole_number_in(1, 256), "a whole number of worker processes from 1 to 256"),
    },
    "playback": {
        "driver": (
            _driver_name,
            "an SDL audio driver name (letters, digits, _ and -) such as 'pulseaudio', 'alsa' "
            "or 'pipewire', or several separated by commas",
        ),
        "frequency": (
            _whole_number_in(*FREQUENCY_RANGE),
            "a sample rate in Hz from 8000 to 192000, such as 44100 or 48000",
        ),
        "volume": (_percent, "a number from 0 to 100"),
        "fade_in": (_number_in(0, 600), "seconds from 0 to 600"),
        "fade_out": (_number_in(0, 1800), "seconds from 0 to 1800"),
        "crossfade": (_number_in(0, 30), "seconds tracks overlap, from 0 to 30"),
        "target_lufs": (_number_in(-40, -10), "a loudness in LUFS from -40 to -10, such as -23"),
    },
    "session": {
        "check_in": (lambda v: isinstance(v, bool), "true or false"),
        "breathe": (lambda v: isinstance(v, bool), "true or false"),
        "wind_down": (_duration, "a duration up to 24h such as '5m', '90s' or a number of minutes"),
    },
}
_FREE_SECTIONS = frozenset({"mood"})  # validated by the package that owns them


class Settings(NamedTuple):
    """The user's settings: known sections validated here, others kept raw for their owners."""

    source: Path | None
    values: dict[str, dict[str, Any]]

    def get(self, section: str, key: str, default: Any = None) -> Any:
        return self.values.get(section, {}).get(key, default)

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.values.get(name, {}))


def load_settings(path: Path, *, required: bool = False) -> Settings:
    """Read and validate the settings file. A missing file means defaults unless ``required``."""
    from calmtune.tomlfiles import InvalidToml, read_toml

    try:
        data, text = read_toml(path)
    except FileNotFoundError:
        if required:
            raise ConfigError(f"settings file {path} does not exist") from None
        return Settings(source=None, values={})
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read settings file {path}: {_reason(exc)}") from None
    except InvalidToml as exc:
        raise ConfigError(f"settings file {path} is not valid TOML: {exc}") from None
    return Settings(source=path, values=_validate(data, path, text))


def _validate(data: dict[str, Any], path: Path, text: str) -> dict[str, dict[str, Any]]:
    known = sorted([*_SCHEMA, *_FREE_SECTIONS])
    for section, table in data.items():
        where = f"settings file {path}, line {_line_of(text, section)}"
        if section not in _SCHEMA and section not in _FREE_SECTIONS:
            raise ConfigError(
                f"{where}: unknown section [{section}]", hint=f"known sections: {', '.join(known)}"
            )
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: '{section}' must be a table, written [{section}]")
        if section in _FREE_SECTIONS:
            continue
        for key, value in table.items():
            line = _line_of(text, key)
            if key not in _SCHEMA[section]:
                allowed = ", ".join(sorted(_SCHEMA[section]))
                raise ConfigError(
                    f"settings file {path}, line {line}: unknown key '{section}.{key}'",
                    hint=f"known keys in [{section}]: {allowed}",
                )
            check, allowed = _SCHEMA[section][key]
            if not check(value):
                raise ConfigError(
                    f"settings file {path}, line {line}: '{section}.{key}' = {value!r} is not valid",
                    hint=f"expected {allowed}",
                )
    return data


def _line_of(text: str, key: str) -> int:
    """The first line where ``key`` is defined or opens a table: for messages only."""
    pattern = re.compile(rf"^\s*(\[\s*{re.escape(key)}\s*\]|\"?{re.escape(key)}\"?\s*=)", re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return str(exc)
