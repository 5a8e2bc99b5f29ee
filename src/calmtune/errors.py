"""calmtune's own errors, each carrying the exit code of the command-line contract.

Library code raises these; the CLI turns them into one line on stderr and the exit code, in one
place (``calmtune.cli.app.CalmtuneGroup.invoke``). The codes are those of docs/cli.md, "Exit
codes"; docs/design.md, "Errors and exit codes", says how they flow.
"""

from __future__ import annotations


class CalmtuneError(Exception):
    """A runtime error the user can act on. ``str(err)`` is the one-line message."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(CalmtuneError):
    """The settings file or a recipe is unreadable or holds a bad value."""


class LibraryError(CalmtuneError):
    """The index cannot be opened, migrated or written."""


class TagError(CalmtuneError):
    """A file's tags cannot be read or written."""


class AnalysisError(CalmtuneError):
    """A file cannot be decoded or measured."""


class DecodeError(AnalysisError):
    """A file cannot be decoded (by libsndfile or ffmpeg). ``reason`` is the short why, without
    the path, for one-line warnings such as "skipped PATH: m4a needs ffmpeg"."""

    def __init__(self, path: str, reason: str, *, hint: str | None = None) -> None:
        super().__init__(f"cannot decode {path}: {reason}" if path else reason, hint=hint)
        self.path = path
        self.reason = reason


class PlaylistError(CalmtuneError):
    """A playlist file or a recipe cannot be used."""


class AudioDeviceError(CalmtuneError):
    """No audio output device could be opened."""

    exit_code = 3


class NothingToPlayError(CalmtuneError):
    """No track matches, or the library is empty."""

    exit_code = 4


class SessionLockedError(CalmtuneError):
    """Another calmtune session is already playing."""

    exit_code = 5


class Interrupted(CalmtuneError):
    """Stopped by a signal after a clean shutdown; the code follows the shell's 128+N rule."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by signal {signum}")
        self.exit_code = 128 + signum
