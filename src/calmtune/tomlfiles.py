"""Reading TOML files (settings, recipes), with a cache of parsed files in calmtune's cache folder.

Importing tomllib (four modules, one of them compiling a dozen regular expressions) costs several
milliseconds at every start, more than `playlist build` then spends planning. The cache holds, per
file, the exact text last parsed and the result, in ``marshal`` format: the format of Python's own
bytecode cache, built in (no import at all) and trusted the same way, as a file in the user's own
cache folder that is only ever replaced whole. A parse is reused only for byte-identical text, so
an edit is always seen, however quickly it follows the last read. Only successful parses are
cached: a syntax error always comes from tomllib, with its line and column.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

CACHE_FILE_NAME = "parsed-toml.marshal"
_FORMAT = 1  # bump when the cache layout changes; an old cache is then ignored


class InvalidToml(ValueError):
    """The text is not valid TOML; the message is tomllib's, ending in "(at line N, column M)"."""


def read_toml(path: Path, cache_dir: Path | None = None) -> tuple[dict[str, Any], str]:
    """The parsed contents of the UTF-8 TOML file at ``path``, and its text (for messages that
    quote line numbers). Raises ``OSError``, ``UnicodeDecodeError`` or ``InvalidToml``."""
    text = path.read_text(encoding="utf-8")
    if cache_dir is None:
        return _parse(text), text
    key = os.path.abspath(path)
    cache_file = cache_dir / CACHE_FILE_NAME
    entries = _load_cache(cache_file)
    cached = entries.get(key)
    if isinstance(cached, list) and len(cached) == 2 and cached[0] == text:
        return cached[1], text
    data = _parse(text)
    if _plain_values(data):  # a file with TOML dates or times is parsed each time
        entries[key] = [text, data]
        _store_cache(cache_file, entries)
    return data, text


def _parse(text: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidToml(str(exc)) from None


def _plain_values(data: dict[str, Any]) -> bool:
    """Whether ``data`` holds only values marshal can store: no TOML dates or times."""
    if isinstance(data, dict):
        return all(isinstance(k, str) and _plain_values(v) for k, v in data.items())
    if isinstance(data, list):
        return all(_plain_values(v) for v in data)
    return isinstance(data, str | int | float | bool)


def _load_cache(cache_file: Path) -> dict[str, Any]:
    import marshal

    try:
        with open(cache_file, "rb") as fh:
            stored = marshal.loads(fh.read())
    except (OSError, ValueError, EOFError, TypeError):  # missing or damaged: start afresh
        return {}
    if not isinstance(stored, dict) or stored.get("format") != _FORMAT:
        return {}
    entries = stored.get("files")
    return entries if isinstance(entries, dict) else {}


def _store_cache(cache_file: Path, entries: dict[str, Any]) -> None:
    """Write the cache atomically; a cache that cannot be written is simply not kept."""
    import marshal

    # Files that are gone would otherwise stay in the cache for ever.
    kept = {key: value for key, value in entries.items() if os.path.exists(key)}
    payload = marshal.dumps({"format": _FORMAT, "files": kept})
    temp = cache_file.with_name(f".{cache_file.name}.{os.getpid()}.tmp")
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        temp.write_bytes(payload)
        os.replace(temp, cache_file)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
