"""A forward real FFT that stays in single precision for float32 input.

``np.fft.rfft`` with its default norm passes numpy's transform the Python scalar 1 as its scale
factor, and a Python scalar makes numpy (2.x) pick the float64 loop: a float32 input is converted
to float64, transformed, and the result rounded back to complex64. That costs up to three times a
float32 transform at the loudness filter's 20,480 points, and a float64 copy of the input. With
norm="forward" the factor is a float32 1/n and the whole transform runs in float32; multiplying
by n afterwards gives the usual unnormalised spectrum. The difference from the float64 route is
float32 rounding (about 1e-7 of the largest bin), far below what any measure is rounded to.
"""

from __future__ import annotations

import numpy as np


def rfft32(x: np.ndarray, n: int | None = None, axis: int = -1) -> np.ndarray:
    """``np.fft.rfft(x, n, axis)`` (unnormalised), computed in float32 when ``x`` is float32."""
    spectrum = np.fft.rfft(x, n, axis=axis, norm="forward")
    spectrum *= n if n is not None else x.shape[axis]
    return spectrum
