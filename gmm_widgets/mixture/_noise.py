"""The uniform noise component (mclust's ``Vinv``): checks, the box and its density.

With ``GaussianMixture(noise=...)`` the mixture gains one component, uniform over the
bounding box of the training data: its density is ``1 / V`` inside the box (``V`` the
box's volume, or ``noise_volume``) and ``0`` outside it. Its weight ``w_0`` is estimated
by EM, and the Gaussian weights then sum to ``1 - w_0``.

Everything here works in the fit's centred coordinates; the E-step adds the noise row
``log w_0 - log V`` (``-inf`` outside the box) to the Gaussians' weighted log-densities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["DEFAULT_NOISE_WEIGHT", "NoiseBox", "check_noise", "check_noise_volume", "data_box"]

#: Initial noise weight when no initial noise points are given (mclust asks for them;
#: without them we start every point at a 10% prior of being noise).
DEFAULT_NOISE_WEIGHT = 0.1


@dataclass
class NoiseBox:
    """The noise component's support, in centred coordinates (float64).

    Attributes
    ----------
    lo, hi : ndarray of shape (d,)
        Corners of the box (inclusive).
    log_volume : float
        ``log V``; the noise density inside the box is ``exp(-log_volume)``.
    """

    lo: np.ndarray
    hi: np.ndarray
    log_volume: float

    def log_density(self, xc: np.ndarray, log_weight: float) -> np.ndarray:
        """``log w_0 - log V`` inside the box, ``-inf`` outside, shape (n,)."""
        lo = self.lo.astype(xc.dtype)
        hi = self.hi.astype(xc.dtype)
        inside = np.all((xc >= lo) & (xc <= hi), axis=1)
        out = np.full(xc.shape[0], -np.inf, dtype=xc.dtype)
        out[inside] = log_weight - self.log_volume
        return out


def check_noise(noise: Any) -> tuple[bool, np.ndarray | None]:
    """Whether ``noise`` turns the component on, and its initial noise points if given.

    Parameters
    ----------
    noise : bool or array-like
        ``False``/``True``, or a boolean mask of shape (n_samples,) or an array of
        integer row indices of the initial noise points.

    Returns
    -------
    enabled : bool
    points : ndarray or None
        The mask or index array as given (checked against ``n_samples`` by
        :func:`noise_mask`).
    """
    if noise is None or noise is False or (isinstance(noise, np.bool_) and not noise):
        return False, None
    if noise is True or isinstance(noise, np.bool_):
        return True, None
    if isinstance(noise, (str, bytes, dict, set, float, int)):
        raise TypeError(
            "noise must be False, True, a boolean mask of the initial noise points of "
            f"shape (n_samples,) or an array of their row indices; got {noise!r}."
        )
    arr = np.asarray(noise)
    if arr.ndim != 1:
        raise ValueError(
            "noise must be a 1-D boolean mask of shape (n_samples,) or a 1-D array of row "
            f"indices; got an array of shape {arr.shape}."
        )
    if arr.dtype != bool and not np.issubdtype(arr.dtype, np.integer):
        if arr.size == 0:
            arr = arr.astype(np.intp)
        else:
            raise TypeError(
                "noise as an array must be a boolean mask or integer row indices; got "
                f"dtype {arr.dtype}. Use e.g. noise=(scores < cut) or np.flatnonzero(...)."
            )
    return True, arr


def noise_mask(points: np.ndarray, n_samples: int) -> np.ndarray:
    """The boolean mask of initial noise points, checked against the data.

    Raises
    ------
    ValueError
        If the mask has the wrong length, an index is out of range, or it flags no
        point or every point.
    """
    if points.dtype == bool:
        if points.shape[0] != n_samples:
            raise ValueError(
                f"noise mask has {points.shape[0]} entries but X has {n_samples} samples; "
                "pass one boolean per row of X."
            )
        mask = points.copy()
    else:
        if points.size and (points.min() < -n_samples or points.max() >= n_samples):
            raise ValueError(
                f"noise indices must lie in [0, {n_samples}) for X with {n_samples} "
                f"samples; got values from {points.min()} to {points.max()}."
            )
        mask = np.zeros(n_samples, dtype=bool)
        mask[points] = True
    n_noise = int(mask.sum())
    if n_noise == 0:
        raise ValueError(
            "noise flags no initial noise point; pass noise=True to start from the default "
            "noise weight instead."
        )
    if n_noise == n_samples:
        raise ValueError(
            "noise flags every sample as noise, leaving none to initialise the Gaussian "
            "components; flag only the points you believe are background."
        )
    return mask


def check_noise_volume(noise_volume: Any) -> float | None:
    """``noise_volume`` as a positive finite float, or None."""
    if noise_volume is None:
        return None
    if isinstance(noise_volume, bool) or not isinstance(noise_volume, (int, float, np.number)):
        raise TypeError(
            f"noise_volume must be a positive number or None, got {type(noise_volume).__name__}."
        )
    v = float(noise_volume)
    if not (np.isfinite(v) and v > 0):
        raise ValueError(f"noise_volume must be positive and finite, got {noise_volume!r}.")
    return v


def data_box(source: Any, noise_volume: float | None) -> NoiseBox:
    """The bounding box of a source's (centred) rows, one pass over the data.

    Raises
    ------
    ValueError
        If a feature is constant (volume 0) and no ``noise_volume`` is given.
    """

    def corners(xc: np.ndarray) -> np.ndarray:
        return np.concatenate([xc.min(axis=0), xc.max(axis=0)])[None, :].astype(np.float64)

    parts = source.map(corners)
    d = source.n_features
    lo = parts[:, :d].min(axis=0)
    hi = parts[:, d:].max(axis=0)
    if noise_volume is None:
        width = hi - lo
        if np.any(width <= 0):
            raise ValueError(
                "the noise component is uniform over the data's bounding box, but feature(s) "
                f"{np.flatnonzero(width <= 0).tolist()} are constant, so the box has volume 0; "
                "pass noise_volume= or drop the constant features."
            )
        log_volume = float(np.sum(np.log(width)))
    else:
        log_volume = float(np.log(noise_volume))
    return NoiseBox(lo, hi, log_volume)
