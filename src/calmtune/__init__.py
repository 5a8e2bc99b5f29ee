"""calmtune: a command-line stress-relief music player."""

__version__ = "0.1.0"
