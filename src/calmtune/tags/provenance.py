"""The calmtune provenance key: which fields calmtune wrote, and on whose behalf.

Stored in the family's provenance key (``TXXX:CALMTUNE``, ``CALMTUNE``, ...) as
``mood=calmtune:Calm; bpm=calmtune:68``: field, then who decided the value (``calmtune`` for an
inferred or measured value, ``user`` for one the user set through calmtune), then the value written.
Keeping the value lets a reader notice that another tagger changed the field afterwards: the
mood then counts as the user's again. So ``mood_source`` can be recovered from the file alone.
"""

from __future__ import annotations

from types import MappingProxyType

BY_CALMTUNE = "calmtune"
BY_USER = "user"


def parse_provenance(text: str | None) -> MappingProxyType[str, tuple[str, str]]:
    """``"mood=calmtune:Calm; bpm=calmtune:68"`` -> {mood: (calmtune, Calm), bpm: (...)}.

    Anything unparsable is ignored: the key is ours, but a user may have edited it by hand.
    """
    entries: dict[str, tuple[str, str]] = {}
    for part in (text or "").split(";"):
        field, eq, rest = part.partition("=")
        source, colon, value = rest.partition(":")
        if eq and colon and field.strip():
            entries[field.strip().lower()] = (source.strip().lower(), value.strip())
    return MappingProxyType(entries)


def format_provenance(entries: dict[str, tuple[str, str]]) -> str:
    """The inverse of :func:`parse_provenance`, fields in sorted order so writes are stable."""
    return "; ".join(f"{f}={src}:{val}" for f, (src, val) in sorted(entries.items()))


def written_by_calmtune(
    entries: MappingProxyType[str, tuple[str, str]], field: str, current: str | None
) -> bool:
    """True when calmtune decided ``field`` and the file still holds the value it wrote."""
    return _recorded(entries, field, current) == BY_CALMTUNE


def set_by_user_here(
    entries: MappingProxyType[str, tuple[str, str]], field: str, current: str | None
) -> bool:
    """True when the user set ``field`` through calmtune (``tag --mood``) and the file still
    holds that value. The record is written in the same file write as the value, so this holds
    even when calmtune's index missed the write (a run killed before it recorded it)."""
    return _recorded(entries, field, current) == BY_USER


def _recorded(
    entries: MappingProxyType[str, tuple[str, str]], field: str, current: str | None
) -> str | None:
    """Who decided ``field``, when the file still holds the value recorded; else None."""
    entry = entries.get(field)
    if entry is None or current is None:
        return None
    source, value = entry
    return source if value.casefold() == current.casefold() else None
