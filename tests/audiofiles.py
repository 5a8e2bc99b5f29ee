"""Generate real, tagged audio files at test time, and decode them for comparisons.

Shared by the tests and the benchmarks: ``from audiofiles import make_tagged_file``.

Tags are written here with mutagen directly, from the key table in docs/music.md, and never through
calmtune's own writer, so tests of calmtune's reader and writer check against an independent oracle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import soundfile as sf

# fmt name -> file extension. "mp3" carries ID3v2.4, "mp3v23" ID3v2.3.
FORMATS = {
    "mp3": ".mp3",
    "mp3v23": ".mp3",
    "flac": ".flac",
    "ogg": ".ogg",
    "opus": ".opus",
    "m4a": ".m4a",
    "wav": ".wav",
    "aiff": ".aiff",
    "wma": ".wma",
    "wv": ".wv",
    "tta": ".tta",
}
# The formats every per-format test runs over.
ALL_FORMATS = tuple(FORMATS)

_ID3 = {
    "title": "TIT2",
    "artist": "TPE1",
    "album": "TALB",
    "albumartist": "TPE2",
    "genre": "TCON",
    "tracknumber": "TRCK",
    "bpm": "TBPM",
    "key": "TKEY",
    "year": "TDRC",
}
_VORBIS = {
    "title": "TITLE",
    "artist": "ARTIST",
    "album": "ALBUM",
    "albumartist": "ALBUMARTIST",
    "genre": "GENRE",
    "tracknumber": "TRACKNUMBER",
    "bpm": "BPM",
    "key": "KEY",
    "mood": "MOOD",
    "year": "DATE",
}
_MP4 = {
    "title": "\xa9nam",
    "artist": "\xa9ART",
    "album": "\xa9alb",
    "albumartist": "aART",
    "genre": "\xa9gen",
    "key": "----:com.apple.iTunes:initialkey",
    "mood": "----:com.apple.iTunes:MOOD",
    "year": "\xa9day",
}
_APE = {
    "title": "Title",
    "artist": "Artist",
    "album": "Album",
    "albumartist": "Album Artist",
    "genre": "Genre",
    "tracknumber": "Track",
    "bpm": "BPM",
    "key": "Key",
    "mood": "Mood",
    "year": "Year",
}
_ASF = {
    "title": "Title",
    "artist": "Author",
    "album": "WM/AlbumTitle",
    "albumartist": "WM/AlbumArtist",
    "genre": "WM/Genre",
    "tracknumber": "WM/TrackNumber",
    "bpm": "WM/BeatsPerMinute",
    "key": "WM/InitialKey",
    "mood": "WM/Mood",
    "year": "WM/Year",
}
_RG = (
    "replaygain_track_gain",
    "replaygain_track_peak",
    "replaygain_album_gain",
    "replaygain_album_peak",
)


def write_wav(path: Path, samples: np.ndarray, rate: int = 44100) -> Path:
    """``samples`` (mono floats in -1..1) as a stereo 16-bit WAV: the same on both channels."""
    import wave

    pcm = np.rint(np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(pcm[:, None], 2, axis=1).tobytes())
    return path


def write_level(path: Path, seconds: float, level: float = 0.3, rate: int = 44100) -> Path:
    """A constant signal: a gain, fade or crossfade shows sample by sample in the PCM."""
    return write_wav(path, np.full(int(seconds * rate), level), rate)


def write_tone(
    path: Path,
    seconds: float,
    *,
    freq: float = 440.0,
    peak: float = 0.3,
    pad: float = 0.0,
    rate: int = 44100,
) -> Path:
    """A stereo 16-bit WAV sine of ``seconds``, with ``pad`` seconds of silence at each end:
    real audio that the player plays and the scanner indexes."""
    t = np.arange(int(seconds * rate)) / rate
    silence = np.zeros(int(pad * rate))
    return write_wav(
        path, np.concatenate([silence, peak * np.sin(2 * np.pi * freq * t), silence]), rate
    )


def read_pcm(path: Path) -> np.ndarray:
    """What SDL's ``disk`` audio driver wrote (S16 little-endian stereo), left channel, as
    floats: the sound that was really played."""
    data = np.fromfile(path, dtype="<i2")
    return data.reshape(-1, 2)[:, 0].astype(np.float64) / 32768.0


def rms_db(samples: np.ndarray) -> float:
    """The RMS level of ``samples`` in dB (full scale 0 dB; silence about -240 dB)."""
    return float(20 * np.log10(np.sqrt(np.mean(samples**2)) + 1e-12))


def signal(seconds: float = 0.5, rate: int = 44100, freq: float = 440.0) -> np.ndarray:
    """A stereo float32 test tone with a little noise, so lossy encoders have real work."""
    t = np.arange(int(seconds * rate)) / rate
    rng = np.random.default_rng(int(freq))
    mono = 0.3 * np.sin(2 * np.pi * freq * t) + 0.02 * rng.standard_normal(t.size)
    return np.stack([mono, mono * 0.8], axis=1).astype(np.float32)


def _write_with_av(path: Path, container: str, codec: str, pcm: np.ndarray, rate: int) -> None:
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "stereo"
        if codec in ("aac", "wmav2"):
            stream.bit_rate = 128000
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(pcm.T), format="fltp", layout="stereo"
        )
        frame.sample_rate = rate
        target = stream.format.name
        resampler = av.AudioResampler(format=target, layout="stereo", rate=rate)
        frame_size = stream.codec_context.frame_size or 4096
        for chunk in resampler.resample(frame) + resampler.resample(None):
            fifo = av.AudioFifo()
            fifo.write(chunk)
            while fifo.samples:
                part = fifo.read(min(frame_size, fifo.samples), partial=True)
                for packet in stream.encode(part):
                    out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def write_audio(
    path: Path,
    fmt: str,
    seconds: float = 0.5,
    freq: float = 440.0,
    gain_db: float = 0.0,
    rate: int | None = None,
) -> Path:
    """Write an untagged audio file of format ``fmt``, ``gain_db`` quieter or louder, at
    ``rate`` (default 44.1 kHz, Opus 48 kHz; a lower rate makes many long files quicker)."""
    rate = rate or (48000 if fmt == "opus" else 44100)
    pcm = signal(seconds, rate, freq) * np.float32(10 ** (gain_db / 20))
    if fmt in ("mp3", "mp3v23"):
        sf.write(path, pcm, rate, format="MP3", subtype="MPEG_LAYER_III")
    elif fmt == "flac":
        sf.write(path, pcm, rate, format="FLAC", subtype="PCM_16")
    elif fmt == "ogg":
        sf.write(path, pcm, rate, format="OGG", subtype="VORBIS")
    elif fmt == "opus":
        sf.write(path, pcm, rate, format="OGG", subtype="OPUS")
    elif fmt == "wav":
        sf.write(path, pcm, rate, format="WAV", subtype="PCM_16")
    elif fmt == "aiff":
        sf.write(path, pcm, rate, format="AIFF", subtype="PCM_16")
    elif fmt == "m4a":
        _write_with_av(path, "ipod", "aac", pcm, rate)
    elif fmt == "wma":
        _write_with_av(path, "asf", "wmav2", pcm, rate)
    elif fmt == "wv":
        _write_with_av(path, "wv", "wavpack", pcm, rate)
    elif fmt == "tta":
        _write_with_av(path, "tta", "tta", pcm, rate)
    else:
        raise ValueError(f"unknown test format {fmt!r}")
    return path


def make_tagged_file(
    path: str | Path,
    fmt: str,
    *,
    seconds: float = 0.5,
    freq: float = 440.0,
    gain_db: float = 0.0,
    raw: dict[str, Any] | None = None,
    rate: int | None = None,
    **tags: Any,
) -> Path:
    """Write an audio file of ``fmt`` (see FORMATS) at ``path`` with the given tags.

    ``tags`` uses calmtune field names (title, artist, album, albumartist, genre, tracknumber,
    bpm, key, mood, replaygain_track_gain ... as text or numbers). ``raw`` adds keys verbatim
    in the format's own family (``{"TXXX:mood": "Relaxed"}``, ``{"TMOO": "Chill"}``), which is
    how other taggers' spellings are simulated. Returns the path.
    """
    path = Path(path)
    if path.suffix == "":
        path = path.with_suffix(FORMATS[fmt])
    write_audio(path, fmt, seconds, freq, gain_db, rate)
    if tags or raw:
        _tag(path, fmt, {k: str(v) for k, v in tags.items()}, raw or {})
    return path


def _tag(path: Path, fmt: str, tags: dict[str, str], raw: dict[str, Any]) -> None:
    import mutagen
    from mutagen import id3

    if fmt in ("mp3", "mp3v23", "wav", "aiff", "tta"):
        audio = mutagen.File(path)
        if audio.tags is None:
            audio.add_tags()
        t = audio.tags
        for field, value in tags.items():
            if field in _ID3:
                t.add(id3.Frames[_ID3[field]](encoding=3, text=[value]))
            elif field == "mood":
                if fmt == "mp3v23":
                    t.add(id3.TXXX(encoding=3, desc="MOOD", text=[value]))
                else:
                    t.add(id3.TMOO(encoding=3, text=[value]))
            elif field in _RG:
                t.add(id3.TXXX(encoding=3, desc=field.upper(), text=[value]))
            else:
                raise ValueError(field)
        for key, value in raw.items():
            if key.startswith("TXXX:"):
                t.add(id3.TXXX(encoding=3, desc=key[5:], text=[value]))
            elif key == "APIC":
                t.add(id3.APIC(encoding=3, mime="image/png", type=3, desc="cover", data=value))
            else:
                t.add(id3.Frames[key](encoding=3, text=[value]))
        audio.save(v2_version=3 if fmt == "mp3v23" else 4)
        return
    audio = mutagen.File(path)
    if audio.tags is None:
        audio.add_tags()
    t = audio.tags
    if fmt in ("flac", "ogg", "opus"):
        for field, value in tags.items():
            t[_VORBIS.get(field, field.upper())] = [value]
    elif fmt == "m4a":
        from mutagen.mp4 import MP4FreeForm

        for field, value in tags.items():
            if field == "tracknumber":
                t["trkn"] = [(int(value.split("/")[0]), 0)]
            elif field == "bpm":
                t["tmpo"] = [round(float(value))]
            elif field in _MP4:
                key = _MP4[field]
                t[key] = [MP4FreeForm(value.encode())] if key.startswith("----") else [value]
            else:
                t["----:com.apple.iTunes:" + field.upper()] = [MP4FreeForm(value.encode())]
        for key, value in list(raw.items()):
            if key.startswith("----"):
                t[key] = [MP4FreeForm(value.encode())]
                del raw[key]
    elif fmt == "wv":
        for field, value in tags.items():
            t[_APE.get(field, field.upper())] = value
    elif fmt == "wma":
        for field, value in tags.items():
            t[_ASF.get(field, field.upper())] = [value]
    for key, value in raw.items():
        t[key] = value if isinstance(value, list) else [value]
    audio.save()


def decode(path: str | Path) -> np.ndarray:
    """The decoded audio of ``path`` (all samples, all channels) through FFmpeg's decoders,
    independent of mutagen and of calmtune: the oracle for "the audio is unchanged"."""
    with av.open(str(path)) as container:
        frames = [f.to_ndarray() for f in container.decode(audio=0)]
    return np.concatenate(
        [f.reshape(f.shape[0], -1) if f.ndim > 1 else f[None, :] for f in frames], axis=1
    )
