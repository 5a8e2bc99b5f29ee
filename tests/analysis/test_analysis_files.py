"""analyze_file / analyze_many on real files generated at test time, good and broken."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile

from calmtune.analysis import analyze_file, analyze_many, integrated_loudness
from calmtune.errors import AnalysisError
from calmtune.models import Features
from music_synth import make_piece


def write_audio(path, samples: np.ndarray, rate: int, **kwargs) -> str:
    """Write with soundfile in blocks (libsndfile can crash on one huge Ogg/MP3 write)."""
    frames = samples if samples.ndim == 2 else samples[:, None]
    with soundfile.SoundFile(str(path), "w", rate, frames.shape[1], **kwargs) as out:
        for start in range(0, len(frames), 8192):
            out.write(frames[start : start + 8192])
    return str(path)


@pytest.fixture(scope="module")
def piece():
    return make_piece(76.0, "drums", seed=21, seconds=12.0, rate=44100)


FORMATS = [
    ("wav", {}),
    ("flac", {}),
    ("ogg", {}),
    ("mp3", {"format": "MP3"}),
    ("aiff", {}),
]


@pytest.mark.parametrize(("ext", "kwargs"), FORMATS)
def test_analyze_file_measures_every_libsndfile_format(tmp_path, piece, ext, kwargs):
    path = write_audio(tmp_path / f"song.{ext}", piece.samples, piece.rate, **kwargs)
    features = analyze_file(path)
    assert features.silent is False
    assert features.bpm == pytest.approx(76.0, rel=0.04)
    assert 0.0 < features.bpm_confidence <= 1.0
    expected = integrated_loudness(piece.samples, piece.rate)
    assert features.loudness_lufs == pytest.approx(expected, abs=0.5)  # lossy codecs move it a bit
    assert features.peak_dbfs <= 0.5
    assert features.onset_density > 0.5
    assert 100.0 < features.brightness < 11025.0
    assert features.loudness_range is not None and features.loudness_range >= 0.0
    assert features.replaygain_track_gain == pytest.approx(-18.0 - features.loudness_lufs, abs=0.01)


def test_analyze_file_measures_opus_at_its_own_48k_rate(tmp_path):
    piece = make_piece(64.0, "pads", seed=5, seconds=12.0, rate=48000)
    path = write_audio(tmp_path / "calm.opus", piece.samples, 48000, format="OGG", subtype="OPUS")
    assert soundfile.info(path).samplerate == 48000
    features = analyze_file(path)
    assert features.loudness_lufs == pytest.approx(
        integrated_loudness(piece.samples, 48000), abs=0.5
    )
    assert features.bpm is None or features.bpm < 90.0  # never doubled


def test_analyze_file_of_digital_silence_is_silent_without_values(tmp_path):
    path = write_audio(tmp_path / "silence.wav", np.zeros(44100 * 3, dtype=np.float32), 44100)
    assert analyze_file(path) == Features(silent=True)


def test_analyze_file_of_near_silence_under_the_gate_is_silent(tmp_path):
    rng = np.random.default_rng(0)
    hiss = (1e-5 * rng.standard_normal(44100 * 3)).astype(np.float32)  # about -100 LUFS
    features = analyze_file(write_audio(tmp_path / "hiss.flac", hiss, 44100))
    assert features.silent is True
    assert all(getattr(features, name) is None for name in ("bpm", "loudness_lufs", "peak_dbfs"))


def _bad_files(tmp_path, piece):
    flac = write_audio(tmp_path / "whole.flac", piece.samples, piece.rate)
    data = Path(flac).read_bytes()
    cases = {
        "empty.mp3": b"",
        "random.mp3": np.random.default_rng(1).bytes(50_000),
        "random.ogg": np.random.default_rng(2).bytes(50_000),
        "truncated.flac": data[: len(data) // 3],
        "garbage-after-header.flac": data[:200] + np.random.default_rng(3).bytes(40_000),
        "text.wav": b"this is not audio at all\n" * 100,
    }
    paths = []
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        paths.append(str(tmp_path / name))
    return paths


def test_analyze_file_of_broken_files_raises_one_line_analysis_error(tmp_path, piece):
    for path in _bad_files(tmp_path, piece):
        with pytest.raises(AnalysisError) as caught:
            analyze_file(path)
        message = str(caught.value)
        assert os.path.basename(path) in message
        assert "\n" not in message


def test_analyze_file_of_missing_file_raises(tmp_path):
    with pytest.raises(AnalysisError, match="file not found"):
        analyze_file(str(tmp_path / "gone.flac"))


def test_analyze_file_rejects_nan_samples(tmp_path):
    samples = np.zeros(44100 * 2, dtype=np.float32)
    samples[1000] = np.nan
    path = write_audio(tmp_path / "nan.wav", samples, 44100, subtype="FLOAT")
    with pytest.raises(AnalysisError, match="NaN"):
        analyze_file(path)


def test_analyze_file_with_wrong_extension_still_decodes(tmp_path, piece):
    path = write_audio(tmp_path / "actually-flac.mp3", piece.samples, piece.rate, format="FLAC")
    assert analyze_file(path).loudness_lufs is not None


def _write_m4a(path, piece) -> str:
    av = pytest.importorskip("av")
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=piece.rate)
        stream.layout = "mono"
        mono = piece.samples if piece.samples.ndim == 1 else piece.samples.mean(axis=1)
        for start in range(0, len(mono), 1024):
            frame = av.AudioFrame.from_ndarray(
                mono[None, start : start + 1024].astype(np.float32), format="flt", layout="mono"
            )
            frame.rate = piece.rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return str(path)


def test_analyze_file_of_m4a_without_ffmpeg_says_install_ffmpeg(tmp_path, piece, monkeypatch):
    path = _write_m4a(tmp_path / "song.m4a", piece)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))  # hide ffmpeg on any machine
    with pytest.raises(AnalysisError, match=r"m4a needs ffmpeg \(install ffmpeg\)"):
        analyze_file(path)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_analyze_file_of_m4a_through_ffmpeg(tmp_path, piece):
    features = analyze_file(_write_m4a(tmp_path / "song.m4a", piece))
    assert features.bpm == pytest.approx(76.0, rel=0.04)
    mono = piece.samples.mean(axis=1) if piece.samples.ndim == 2 else piece.samples
    assert features.loudness_lufs == pytest.approx(integrated_loudness(mono, piece.rate), abs=0.5)


def test_analyze_many_reports_each_file_once_with_features_or_error(tmp_path, piece):
    good = [write_audio(tmp_path / f"good{i}.flac", piece.samples, piece.rate) for i in range(3)]
    silent = write_audio(tmp_path / "silent.wav", np.zeros(44100 * 2, dtype=np.float32), 44100)
    bad = _bad_files(tmp_path, piece)[:2]
    results = {}

    def on_result(path, features, error):
        assert path not in results
        results[path] = (features, error)

    handled = analyze_many([*good, silent, *bad], jobs=2, on_result=on_result)
    assert handled == len(results) == 6
    for path in good:
        features, error = results[path]
        assert error is None and features.bpm == pytest.approx(76.0, rel=0.04)
    assert results[silent] == (Features(silent=True), None)
    for path in bad:
        features, error = results[path]
        assert features is None and os.path.basename(path) in error


def test_analyze_many_in_process_with_one_job(tmp_path, piece):
    path = write_audio(tmp_path / "one.wav", piece.samples, piece.rate)
    seen = []
    assert analyze_many([path], jobs=1, on_result=lambda *r: seen.append(r)) == 1
    assert seen[0][0] == path and seen[0][2] is None
    assert math.isfinite(seen[0][1].loudness_lufs)


def test_import_of_analysis_package_does_not_load_numpy():
    code = "import sys, calmtune.analysis; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_wav_written_with_wave_module_is_analysed(tmp_path):
    rate = 22050
    piece = make_piece(120.0, "clicks", seed=2, seconds=10.0, rate=rate)
    mono = piece.samples if piece.samples.ndim == 1 else piece.samples[:, 0]
    pcm = (np.clip(mono, -1, 1) * 32767).astype("<i2")
    with wave.open(str(tmp_path / "clicks.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    features = analyze_file(str(tmp_path / "clicks.wav"))
    assert features.bpm == pytest.approx(120.0, rel=0.04)
    assert features.onset_density == pytest.approx(2.0, rel=0.2)


def test_analyze_file_of_a_blip_shorter_than_a_gating_block_is_not_silent(tmp_path):
    t = np.arange(int(0.2 * 44100)) / 44100
    blip = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    features = analyze_file(write_audio(tmp_path / "blip.wav", blip, 44100))
    assert features.silent is False
    assert features.bpm is None
    assert -12.0 < features.loudness_lufs < -2.0  # a -6 dBFS 1 kHz sine reads about -6.7 LUFS
    assert features.peak_dbfs == pytest.approx(-6.02, abs=0.1)
