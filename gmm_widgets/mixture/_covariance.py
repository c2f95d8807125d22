"""One small strategy per covariance type.

Each strategy knows, for its type, how to

* compute squared Mahalanobis distances of a data chunk to every component
  (component-major, shape ``(n_components, n_chunk)``),
* accumulate the second-order sufficient statistics of a chunk,
* turn the accumulated statistics into covariances (with ``reg_covar``),
* compute precision Cholesky factors, log-determinants and the number of parameters,
* validate ``precisions_init`` and expand covariances to full matrices.

Covariance shapes follow scikit-learn: ``full`` ``(K, d, d)``, ``tied`` ``(d, d)``,
``diag`` ``(K, d)``, ``spherical`` ``(K,)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import linalg

from gmm_widgets.mixture._validation import check_choice

__all__ = ["COVARIANCE_TYPES", "SINGULAR_RTOL", "get_strategy", "n_mixture_parameters"]

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")

_ILL_DEFINED = (
    "Fitting the mixture model failed because {what} ill-defined empirical covariance "
    "(for instance caused by singleton or collapsed samples, or a constant feature). "
    "Try to decrease n_components, increase reg_covar (now {reg_covar:g}), or scale the "
    "input data."
)


#: Relative floor below which a fitted variance is rounding noise, not data: a
#: covariance is singular to working precision when a variance is below ``SINGULAR_RTOL``
#: times the scale its rounding error is proportional to (the data's variance of that
#: feature, see ``variance_floor``), or when a Cholesky pivot (the variance of a feature
#: left after regressing it on the ones before) is below ``SINGULAR_RTOL`` times that
#: feature's variance. A fit's statistics carry relative rounding errors of about 1e-13
#: (float64 sums over up to 1e7 rows, and the quadratic form's ``eps * kappa`` bound in
#: ``_moments``), so this floor sits a hundred times above the noise and far below any
#: covariance that BLAS rounding cannot change. Without it, a component that collapsed
#: onto a line or a point (``reg_covar=0``) passed or failed the Cholesky by the last
#: bits of a BLAS product, which differ from CPU to CPU.
SINGULAR_RTOL = 1e-11


def _ill_defined(what: str, reg_covar: float) -> ValueError:
    return ValueError(_ILL_DEFINED.format(what=what, reg_covar=reg_covar))


class _Strategy:
    """The interface every covariance type implements (one stateless instance each).

    Shapes: ``K`` components, ``d`` features, ``n`` rows in a chunk. Covariances and
    precision Cholesky factors ("prec_chol") have this type's shape (:meth:`cov_shape`):
    full ``(K, d, d)``, tied ``(d, d)``, diag ``(K, d)``, spherical ``(K,)``. Data and
    means are in the fit's centred coordinates (the data's mean subtracted). Only
    :meth:`check_precisions` is shared code; the rest is per type.

    Attributes
    ----------
    name : str
        ``"full"``, ``"tied"``, ``"diag"`` or ``"spherical"``.
    whitened : bool
        True when the E-step's whitened differences also feed the M-step (full): the
        chunk pass then calls :meth:`whiten`, :meth:`whitened_second` and
        :meth:`unwhiten` instead of :meth:`maha` and :meth:`second_moment`.
    """

    name: str
    whitened = False

    # -- statistics -------------------------------------------------------------------
    def maha(self, xc: np.ndarray, means: np.ndarray, prec_chol: np.ndarray) -> np.ndarray:
        """Squared Mahalanobis distances of every row to every component.

        Parameters
        ----------
        xc : ndarray of shape (n, d)
        means : ndarray of shape (K, d)
        prec_chol : ndarray, this type's shape

        Returns
        -------
        ndarray of shape (K, n)
        """
        raise NotImplementedError

    def second_moment(
        self, xc: np.ndarray, rw: np.ndarray, w: np.ndarray | None, ref: np.ndarray
    ) -> np.ndarray:
        """The chunk's second-order sufficient statistic, around ``ref`` (float64).

        Parameters
        ----------
        xc : ndarray of shape (n, d)
        rw : ndarray of shape (K, n)
            Responsibilities, already multiplied by the sample weights.
        w : ndarray of shape (n,) or None
            The sample weights (None: all 1).
        ref : ndarray of shape (K, d)
            The reference means the scatter is taken around (the current means: the
            sums then stay small, so float64 accumulation loses nothing).

        Returns
        -------
        ndarray
            full ``(K, d, d)`` sums of ``r (x - ref_k)(x - ref_k)^T``; tied ``(d, d)``
            ``sum w x x^T``; diag and spherical ``(K, d)`` sums of ``r x**2``.
        """
        raise NotImplementedError

    def covariances(
        self,
        second: np.ndarray,
        sx: np.ndarray,
        nk_raw: np.ndarray,
        nk: np.ndarray,
        means: np.ndarray,
        ref: np.ndarray,
        reg_covar: float,
    ) -> np.ndarray:
        """The M-step's covariances from the accumulated statistics.

        Parameters
        ----------
        second : ndarray
            Sum over chunks of :meth:`second_moment` (or of the unwhitened scatter).
        sx : ndarray of shape (K, d)
            Sums of ``r x``.
        nk_raw : ndarray of shape (K,)
            Sums of ``r`` (the effective counts).
        nk : ndarray of shape (K,)
            ``nk_raw`` plus ``10 * eps`` (scikit-learn's guard against empty components).
        means : ndarray of shape (K, d)
            The new means, ``sx / nk``.
        ref : ndarray of shape (K, d)
            The reference ``second`` was taken around.
        reg_covar : float
            Added to the diagonal.

        Returns
        -------
        ndarray, this type's shape
        """
        raise NotImplementedError

    # -- whitened statistics (only where ``whitened`` is True) --------------------------
    def whiten(
        self, xc: np.ndarray, means: np.ndarray, prec_chol: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Whitened differences ``y_k = P_k^T (x - mu_k)`` and their squared norms.

        Parameters
        ----------
        xc : ndarray of shape (n, d)
        means : ndarray of shape (K, d)
        prec_chol : ndarray of shape (K, d, d)

        Returns
        -------
        maha : ndarray of shape (K, n)
        y : ndarray of shape (K, d, n)
        """
        raise NotImplementedError(f"covariance_type={self.name!r} has no whitened pass")

    def whitened_second(self, y: np.ndarray, rw: np.ndarray) -> np.ndarray:
        """Per component, the sum of ``r y y^T`` (may overwrite ``y``).

        Parameters
        ----------
        y : ndarray of shape (K, d, n)
        rw : ndarray of shape (K, n)

        Returns
        -------
        ndarray of shape (K, d, d)
        """
        raise NotImplementedError(f"covariance_type={self.name!r} has no whitened pass")

    def unwhiten(self, second: np.ndarray, prec_chol: np.ndarray) -> np.ndarray:
        """The scatter ``S_k = P_k^-T Z_k P_k^-1`` from the whitened scatter ``Z_k``.

        Parameters
        ----------
        second : ndarray of shape (K, d, d)
        prec_chol : ndarray of shape (K, d, d)

        Returns
        -------
        ndarray of shape (K, d, d), symmetric
        """
        raise NotImplementedError(f"covariance_type={self.name!r} has no whitened pass")

    # -- parameters -------------------------------------------------------------------
    def variance_floor(self, means: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """The variances below which this type's fitted covariances are rounding noise.

        Parameters
        ----------
        means : ndarray of shape (K, d)
            Means in the fit's centred coordinates.
        scale : ndarray of shape (d,)
            The data's variance of each feature.

        Returns
        -------
        ndarray
            ``SINGULAR_RTOL`` times the scale of the rounding error of each variance:
            shape (K, d) for full, diag; (d,) for tied; (K,) for spherical.
        """
        raise NotImplementedError

    def precision_cholesky(
        self, cov: np.ndarray, reg_covar: float, floor: np.ndarray | None = None
    ) -> np.ndarray:
        """Precision Cholesky factors of ``cov``, refusing singular covariances.

        Parameters
        ----------
        cov : ndarray
            Covariances in this type's shape.
        reg_covar : float
            Only quoted in the error message.
        floor : ndarray, optional
            :meth:`variance_floor`: a covariance with a variance (or a full or tied
            covariance with a Cholesky pivot) below it is singular to working precision.
            Without it, only a failed Cholesky counts (parameters given by the user).

        Returns
        -------
        ndarray, same shape as ``cov``

        Raises
        ------
        ValueError
            If a covariance is singular (to working precision when ``floor`` is given).
        """
        raise NotImplementedError

    def log_det_chol(self, prec_chol: np.ndarray, n_features: int) -> np.ndarray:
        """``log det P_k`` of each component's precision Cholesky factor.

        Parameters
        ----------
        prec_chol : ndarray, this type's shape
        n_features : int

        Returns
        -------
        ndarray of shape (K,), or a scalar array for tied
        """
        raise NotImplementedError

    def precisions(self, prec_chol: np.ndarray) -> np.ndarray:
        """Precision matrices ``P P^T`` (or the diagonal/scalar precisions).

        Parameters
        ----------
        prec_chol : ndarray, this type's shape

        Returns
        -------
        ndarray, this type's shape
        """
        raise NotImplementedError

    def n_cov_parameters(self, n_components: int, n_features: int) -> int:
        """Free covariance parameters (for BIC/AIC): full ``K d (d + 1) / 2``, ...

        Parameters
        ----------
        n_components, n_features : int

        Returns
        -------
        int
        """
        raise NotImplementedError

    def to_full(self, cov: np.ndarray, n_components: int, n_features: int) -> np.ndarray:
        """Covariances expanded to full matrices.

        Parameters
        ----------
        cov : ndarray, this type's shape
        n_components, n_features : int

        Returns
        -------
        ndarray of shape (K, d, d), a new array
        """
        raise NotImplementedError

    def cov_shape(self, n_components: int, n_features: int) -> tuple[int, ...]:
        """This type's covariance shape for ``K`` components and ``d`` features.

        Parameters
        ----------
        n_components, n_features : int

        Returns
        -------
        tuple of int
        """
        raise NotImplementedError

    def prec_chol_from_precisions(self, precisions: np.ndarray) -> np.ndarray:
        """Cholesky factors of given precisions (``precisions_init``), as scikit-learn.

        Parameters
        ----------
        precisions : ndarray, this type's shape

        Returns
        -------
        ndarray, this type's shape
        """
        raise NotImplementedError

    def covariances_from_precisions(self, precisions: np.ndarray) -> np.ndarray:
        """Covariances (inverses) of given precisions.

        Parameters
        ----------
        precisions : ndarray, this type's shape

        Returns
        -------
        ndarray, this type's shape
        """
        raise NotImplementedError

    def check_precisions(self, precisions: Any, n_components: int, n_features: int) -> np.ndarray:
        """``precisions_init`` checked (shape, finite, positive definite) as float64.

        Parameters
        ----------
        precisions : array-like, this type's shape
        n_components, n_features : int

        Returns
        -------
        ndarray, this type's shape

        Raises
        ------
        TypeError, ValueError
            Naming the expected shape or the problem.
        """
        shape = self.cov_shape(n_components, n_features)
        try:
            p = np.asarray(precisions, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"precisions_init must be an array of numbers: {exc}") from exc
        if p.shape != shape:
            raise ValueError(
                f"precisions_init must have shape {shape} for covariance_type="
                f"'{self.name}' with n_components={n_components} and {n_features} "
                f"feature(s), got shape {p.shape}."
            )
        if not np.all(np.isfinite(p)):
            raise ValueError("precisions_init contains NaN or infinity.")
        self._check_pd(p)
        return p

    def _check_pd(self, p: np.ndarray) -> None:
        if np.any(p <= 0.0):
            raise ValueError(
                f"precisions_init for covariance_type='{self.name}' must be positive; "
                f"{int((p <= 0).sum())} value(s) are not."
            )


def _check_spd_matrices(mats: np.ndarray, what: str) -> None:
    for k, m in enumerate(mats):
        label = f"{what}[{k}]" if len(mats) > 1 else what
        if not np.allclose(m, m.T):
            raise ValueError(f"{label} must be symmetric; make it (P + P.T) / 2.")
        if np.linalg.eigvalsh(m).min() <= 0.0:
            raise ValueError(f"{label} must be positive definite; it has eigenvalues <= 0.")


def _chol_inv_upper(
    cov: np.ndarray, reg_covar: float, what: str, floor: np.ndarray | None = None
) -> np.ndarray:
    """Upper-triangular ``P`` with ``P @ P.T == inv(cov)``, as scikit-learn computes it.

    With ``floor`` (per feature), a variance below it, or a Cholesky pivot below
    ``SINGULAR_RTOL`` times its feature's variance, makes ``cov`` singular.
    """
    variances = np.diag(cov)
    if floor is not None and np.any(variances <= floor):
        raise _ill_defined(what, reg_covar)
    try:
        cov_chol = linalg.cholesky(cov, lower=True, check_finite=False)
    except linalg.LinAlgError:
        raise _ill_defined(what, reg_covar) from None
    pivots = np.diag(cov_chol)
    if not np.all(np.isfinite(cov_chol)) or np.any(pivots <= 0):
        raise _ill_defined(what, reg_covar)
    if floor is not None and np.any(pivots * pivots <= SINGULAR_RTOL * variances):
        raise _ill_defined(what, reg_covar)
    eye = np.eye(cov.shape[0])
    return linalg.solve_triangular(cov_chol, eye, lower=True, check_finite=False).T


class _Full(_Strategy):
    name = "full"
    #: The E-step's whitened differences feed the M-step (see ``whitened``).
    whitened = True

    def whiten(self, xc, means, prec_chol):
        """Whitened differences ``y[k] = P_k^T (x - mu_k)`` (K, d, n) and their norms (K, n)."""
        n_comp, n_feat, _ = prec_chol.shape
        # One GEMM for all components, with the means folded in through a column of ones:
        # rows k*d..k*d+d of Y are [P_k^T, -P_k^T mu_k] @ [x; 1].
        w = np.empty((n_comp * n_feat, n_feat + 1), dtype=xc.dtype)
        w[:, :n_feat] = prec_chol.transpose(0, 2, 1).reshape(n_comp * n_feat, n_feat)
        w[:, n_feat] = -np.einsum("kd,kde->ke", means, prec_chol).reshape(-1)
        xa = np.empty((xc.shape[0], n_feat + 1), dtype=xc.dtype)
        xa[:, :n_feat] = xc
        xa[:, n_feat] = 1.0
        y = np.dot(w, xa.T).reshape(n_comp, n_feat, -1)
        return np.einsum("kdn,kdn->kn", y, y), y

    def maha(self, xc, means, prec_chol):
        return self.whiten(xc, means, prec_chol)[0]

    def whitened_second(self, y, rw):
        """Sum of ``r * y y^T`` per component (K, d, d); may overwrite ``y``."""
        n_comp, n_feat, _ = y.shape
        if n_feat <= 3:
            # Few features: one weighted product sum per entry beats K tiny GEMMs.
            out = np.empty((n_comp, n_feat, n_feat), dtype=y.dtype)
            ry = rw[:, None, :] * y
            for i in range(n_feat):
                for j in range(i + 1):
                    out[:, i, j] = out[:, j, i] = np.einsum("kn,kn->k", ry[:, i], y[:, j])
            return out
        y *= np.sqrt(rw)[:, None, :]
        return np.stack([np.dot(yk, yk.T) for yk in y])

    def unwhiten(self, second, prec_chol):
        """Scatter ``S_k = P_k^-T Z_k P_k^-1`` from the whitened scatter ``Z_k``."""
        inv = np.linalg.inv(prec_chol)  # any factor with P P^T = precision, not only triangular
        out = np.matmul(np.matmul(inv.transpose(0, 2, 1), second), inv)
        return (out + out.transpose(0, 2, 1)) / 2

    def second_moment(self, xc, rw, w, ref):
        xt = np.ascontiguousarray(xc.T)
        out = np.empty((rw.shape[0], xt.shape[0], xt.shape[0]))
        for k in range(rw.shape[0]):
            diff = xt - ref[k][:, None]
            out[k] = np.dot(diff * rw[k], diff.T)
        return out

    def covariances(self, second, sx, nk_raw, nk, means, ref, reg_covar):
        # sum r (x - mu)(x - mu)^T from the scatter around the reference point `ref`.
        delta = means - ref
        s_ref = sx - nk_raw[:, None] * ref
        cross = np.einsum("ki,kj->kij", s_ref, delta)
        num = (
            second
            - cross
            - cross.transpose(0, 2, 1)
            + nk_raw[:, None, None] * np.einsum("ki,kj->kij", delta, delta)
        )
        cov = num / nk[:, None, None]
        idx = np.arange(cov.shape[1])
        cov[:, idx, idx] += reg_covar
        return cov

    def variance_floor(self, means, scale):
        # Full covariances are computed about each mean (whitened) or by the quadratic
        # form only while its cancellation stays small (``_moments.MAX_KAPPA``): the
        # error of a variance scales with the data's variance, not the mean's offset.
        return np.broadcast_to(SINGULAR_RTOL * scale, means.shape)

    def precision_cholesky(self, cov, reg_covar, floor=None):
        return np.stack(
            [
                _chol_inv_upper(
                    c, reg_covar, f"component {k} has an", None if floor is None else floor[k]
                )
                for k, c in enumerate(cov)
            ]
        )

    def log_det_chol(self, prec_chol, n_features):
        return np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)

    def precisions(self, prec_chol):
        return np.einsum("kij,klj->kil", prec_chol, prec_chol)

    def n_cov_parameters(self, n_components, n_features):
        return n_components * n_features * (n_features + 1) // 2

    def to_full(self, cov, n_components, n_features):
        return np.array(cov, dtype=np.float64)

    def cov_shape(self, n_components, n_features):
        return (n_components, n_features, n_features)

    def prec_chol_from_precisions(self, precisions):
        return np.stack([np.linalg.cholesky(p) for p in precisions])

    def covariances_from_precisions(self, precisions):
        return np.stack([np.linalg.inv(p) for p in precisions])

    def _check_pd(self, p):
        _check_spd_matrices(p, "precisions_init")


class _Tied(_Strategy):
    name = "tied"

    def maha(self, xc, means, prec_chol):
        y = np.dot(prec_chol.T, xc.T)  # (d, n)
        b = np.dot(means, prec_chol)  # (K, d)
        out = np.dot(b, y)
        out *= -2.0
        out += np.einsum("dn,dn->n", y, y)[None, :]
        out += np.einsum("kd,kd->k", b, b)[:, None]
        np.maximum(out, 0.0, out=out)
        return out

    def second_moment(self, xc, rw, w, ref):
        if w is None:
            return np.dot(xc.T, xc)
        return np.dot(xc.T * w, xc)

    def covariances(self, second, sx, nk_raw, nk, means, ref, reg_covar):
        avg_means2 = np.dot(nk * means.T, means)
        cov = (second - avg_means2) / nk.sum()
        cov.flat[:: cov.shape[0] + 1] += reg_covar
        return cov

    def variance_floor(self, means, scale):
        return SINGULAR_RTOL * np.asarray(scale, dtype=np.float64)

    def precision_cholesky(self, cov, reg_covar, floor=None):
        return _chol_inv_upper(cov, reg_covar, "the tied covariance has an", floor)

    def log_det_chol(self, prec_chol, n_features):
        return np.sum(np.log(np.diag(prec_chol)))

    def precisions(self, prec_chol):
        return np.dot(prec_chol, prec_chol.T)

    def n_cov_parameters(self, n_components, n_features):
        return n_features * (n_features + 1) // 2

    def to_full(self, cov, n_components, n_features):
        cov = np.asarray(cov, dtype=np.float64)
        return np.broadcast_to(cov, (n_components, *cov.shape)).copy()

    def cov_shape(self, n_components, n_features):
        return (n_features, n_features)

    def prec_chol_from_precisions(self, precisions):
        return np.linalg.cholesky(precisions)

    def covariances_from_precisions(self, precisions):
        return np.linalg.inv(precisions)

    def _check_pd(self, p):
        _check_spd_matrices(p[None], "precisions_init")


class _Diag(_Strategy):
    name = "diag"

    def maha(self, xc, means, prec_chol):
        prec = prec_chol * prec_chol  # (K, d)
        xt = xc.T
        out = np.dot(prec, xt * xt)
        out -= 2.0 * np.dot(means * prec, xt)
        out += np.einsum("kd,kd->k", means * means, prec)[:, None]
        np.maximum(out, 0.0, out=out)
        return out

    def second_moment(self, xc, rw, w, ref):
        return np.dot(rw, xc * xc)

    def covariances(self, second, sx, nk_raw, nk, means, ref, reg_covar):
        avg_x2 = second / nk[:, None]
        avg_x_means = means * sx / nk[:, None]
        return avg_x2 - 2.0 * avg_x_means + means**2 + reg_covar

    def variance_floor(self, means, scale):
        # Diagonal variances are raw second moments about the fit's centre minus the
        # squared mean (as scikit-learn computes them): their rounding error grows with
        # the mean's distance from the centre.
        return SINGULAR_RTOL * (scale + means * means)

    def precision_cholesky(self, cov, reg_covar, floor=None):
        ok = cov > 0.0 if floor is None else cov > floor
        bad = np.flatnonzero(np.any(~ok, axis=-1))
        if bad.size:
            raise _ill_defined(f"component(s) {bad.tolist()} have an", reg_covar)
        return 1.0 / np.sqrt(cov)

    def log_det_chol(self, prec_chol, n_features):
        return np.sum(np.log(prec_chol), axis=1)

    def precisions(self, prec_chol):
        return prec_chol**2

    def n_cov_parameters(self, n_components, n_features):
        return n_components * n_features

    def to_full(self, cov, n_components, n_features):
        out = np.zeros((n_components, n_features, n_features))
        idx = np.arange(n_features)
        out[:, idx, idx] = cov
        return out

    def cov_shape(self, n_components, n_features):
        return (n_components, n_features)

    def prec_chol_from_precisions(self, precisions):
        return np.sqrt(precisions)

    def covariances_from_precisions(self, precisions):
        return 1.0 / precisions


class _Spherical(_Diag):
    name = "spherical"

    def maha(self, xc, means, prec_chol):
        prec = prec_chol * prec_chol  # (K,)
        xt = xc.T
        out = np.dot(means, xt)
        out *= -2.0
        out += np.einsum("dn,dn->n", xt, xt)[None, :]
        out += np.einsum("kd,kd->k", means, means)[:, None]
        out *= prec[:, None]
        np.maximum(out, 0.0, out=out)
        return out

    def covariances(self, second, sx, nk_raw, nk, means, ref, reg_covar):
        return super().covariances(second, sx, nk_raw, nk, means, ref, reg_covar).mean(axis=1)

    def variance_floor(self, means, scale):
        return super().variance_floor(means, scale).mean(axis=1)

    def precision_cholesky(self, cov, reg_covar, floor=None):
        floor = None if floor is None else np.asarray(floor)[:, None]
        return super().precision_cholesky(cov[:, None], reg_covar, floor)[:, 0]

    def log_det_chol(self, prec_chol, n_features):
        return n_features * np.log(prec_chol)

    def n_cov_parameters(self, n_components, n_features):
        return n_components

    def to_full(self, cov, n_components, n_features):
        return np.asarray(cov, dtype=np.float64)[:, None, None] * np.eye(n_features)

    def cov_shape(self, n_components, n_features):
        return (n_components,)


_STRATEGIES = {s.name: s for s in (_Full(), _Tied(), _Diag(), _Spherical())}


def get_strategy(covariance_type: str) -> _Strategy:
    """Return the strategy object of ``covariance_type``.

    Parameters
    ----------
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    strategy
    """
    return _STRATEGIES[check_choice(covariance_type, "covariance_type", COVARIANCE_TYPES)]


def n_mixture_parameters(covariance_type: str, n_components: int, n_features: int) -> int:
    """Free parameters of a mixture, as BIC and AIC count them (scikit-learn's count).

    Parameters
    ----------
    covariance_type : {"full", "tied", "diag", "spherical"}
    n_components, n_features : int

    Returns
    -------
    int
        Covariance parameters + ``n_components * n_features`` means +
        ``n_components - 1`` weights.
    """
    K, d = int(n_components), int(n_features)
    return int(get_strategy(covariance_type).n_cov_parameters(K, d) + K * d + K - 1)
