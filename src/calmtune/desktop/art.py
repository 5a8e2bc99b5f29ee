"""Cover art for ``mpris:artUrl``: the picture embedded in the file (written once to the cache
folder, since MPRIS passes a URL, not the image), else an image such as ``cover.jpg`` beside it.

Nothing here writes next to the music: the only file written is in calmtune's cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from calmtune.desktop.mpris import file_uri

# Names that tools and stores give a folder's cover image, most specific first.
FOLDER_NAMES = ("cover", "folder", "front", "album", "albumart")
IMAGE_EXTENSIONS = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
_EXTENSION = {"image/jpeg": ".jpg", "image/jpg": ".jpg", "image/png": ".png"}


class CoverArt:
    """Finds and remembers each track's cover URL (None when it has none)."""

    def __init__(self, cache_dir: Path) -> None:
        self.folder = Path(cache_dir) / "covers"
        self._urls: dict[str, str | None] = {}

    def url(self, path: str) -> str | None:
        if path not in self._urls:
            self._urls[path] = self._embedded(path) or folder_cover(path)
        return self._urls[path]

    def _embedded(self, path: str) -> str | None:
        from calmtune.errors import TagError
        from calmtune.tags import read_cover

        try:
            found = read_cover(path)
        except (TagError, OSError):
            return None
        if found is None or not found[0]:
            return None
        data, mime = found
        name = hashlib.sha256(data).hexdigest()[:32] + _EXTENSION.get(mime.lower(), ".img")
        target = self.folder / name
        try:
            if not target.exists():  # the same cover (an album's) is written once
                self.folder.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(f".{name}.{os.getpid()}.part")
                partial.write_bytes(data)
                os.replace(partial, target)
        except OSError:
            return None
        return file_uri(str(target))


def folder_cover(path: str) -> str | None:
    """The URL of an image named like a cover in the track's folder, or None."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    images = {}
    for name in names:
        stem, extension = os.path.splitext(name)
        if extension.lower() in IMAGE_EXTENSIONS and stem.lower() in FOLDER_NAMES:
            images.setdefault(stem.lower(), name)
    for wanted in FOLDER_NAMES:
        if wanted in images:
            return file_uri(os.path.join(folder, images[wanted]))
    return None
