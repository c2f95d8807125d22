"""Where a new component goes, and how a fit starts from given means.

Both work from :class:`~gmm_widgets.mixture.MixtureParams`, so they serve our
:class:`~gmm_widgets.GaussianMixture` and scikit-learn's models alike; densities come
from the core's own E-step (:meth:`GaussianMixture.from_params`). MixtureExplorer uses
them when K changes (:func:`extend_means`) and when the user drags the initial means
(:func:`init_from_means`).
"""

from __future__ import annotations

import math

import numpy as np

from gmm_widgets.mixture.gaussian_mixture import GaussianMixture
from gmm_widgets.mixture.params import MixtureParams

__all__ = ["extend_means", "init_from_means"]

#: Rows per block when evaluating densities, so memory stays bounded for large X.
CHUNK_ROWS = 65_536
#: Rows used to decide where a new component goes (evenly spaced over X).
PLACEMENT_ROWS = 5_000
#: Fraction of the rows, the least explained ones, that are candidate places.
CANDIDATE_FRACTION = 0.1
#: Most candidate places evaluated per new component.
MAX_CANDIDATES = 64

_LOG_2PI = math.log(2 * math.pi)


def _evenly_spaced_rows(X: np.ndarray, max_rows: int) -> np.ndarray:
    n = X.shape[0]
    if n <= max_rows:
        return np.asarray(X, dtype=np.float64)
    idx = np.linspace(0, n - 1, max_rows).round().astype(np.intp)
    return np.asarray(X[idx], dtype=np.float64)


def extend_means(
    X: np.ndarray,
    params: MixtureParams,
    means: np.ndarray,
    n_components: int,
    *,
    max_rows: int = PLACEMENT_ROWS,
) -> np.ndarray:
    """Grow or shrink a set of initial means to ``n_components`` rows.

    Shrinking drops the last rows (the last added go first). Growing appends, one at a
    time, the data point that best explains the data the current model explains
    least: the candidates are the rows with the lowest log-density under the model
    (the least explained 10%, at most 64 of them), and the one whose new component
    (weight ``1 / (K + 1)``, the model's average covariance) raises the likelihood of
    all the data most is taken. An isolated outlier has the lowest density of all but
    explains little, so a new mean lands in a poorly fitted *group* of points instead.

    The reference model is the fitted one: component ``k`` started at row ``k`` of
    ``means``, so rows beyond the model's components (added since the fit) count as
    components too, and removed rows no longer count.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : MixtureParams
        The current fitted model.
    means : ndarray of shape (n_rows, n_features)
        Current initial means (handles).
    n_components : int
        Rows wanted.
    max_rows : int, default=5_000
        Rows of ``X`` (evenly spaced) the densities are evaluated on.

    Returns
    -------
    ndarray of shape (n_components, n_features), float64
        The first ``min(n_rows, n_components)`` rows are those of ``means``.
    """
    means = np.asarray(means, dtype=np.float64)
    K_target = int(n_components)
    if K_target <= means.shape[0]:
        return means[:K_target].copy()
    Xs = _evenly_spaced_rows(X, max_rows)
    n, d = Xs.shape
    covs = params.full_covariances()
    w = params.weights / params.weights.sum()
    avg_cov = np.einsum("k,kij->ij", w, covs)
    avg_cov += np.eye(d) * (1e-9 * max(np.trace(avg_cov) / d, 1e-300))
    keep = min(params.n_components, means.shape[0])
    extra = [means[r] for r in range(params.n_components, means.shape[0])]
    ref_means = [params.means[k] for k in range(keep)] + extra
    ref_covs = [covs[k] for k in range(keep)] + [avg_cov] * len(extra)
    total = len(ref_means)
    w_extra = 1.0 / total
    kept_w = w[:keep] / max(w[:keep].sum(), 1e-300) * (1.0 - w_extra * len(extra))
    ref_w = np.concatenate([kept_w, np.full(len(extra), w_extra)])
    reference = MixtureParams(ref_w, np.array(ref_means), np.array(ref_covs), "full")
    logp = GaussianMixture.from_params(reference).score_samples(Xs)
    L = np.linalg.cholesky(avg_cov)
    inv_chol = np.linalg.inv(L)
    log_const = -0.5 * (d * _LOG_2PI) - np.log(np.diag(L)).sum()
    Z = Xs @ inv_chol.T
    zz = np.einsum("ij,ij->i", Z, Z)
    added = []
    for _ in range(K_target - means.shape[0]):
        w_new = 1.0 / (total + 1)
        order = np.argsort(logp, kind="stable")
        cand = order[: max(1, math.ceil(CANDIDATE_FRACTION * n))]
        if cand.size > MAX_CANDIDATES:
            cand = cand[np.linspace(0, cand.size - 1, MAX_CANDIDATES).round().astype(np.intp)]
        base = math.log1p(-w_new) + logp
        gains = np.empty(cand.size)
        for start in range(0, cand.size, 32):
            c = cand[start : start + 32]
            maha = zz[:, None] - 2.0 * Z @ Z[c].T + zz[c][None, :]
            # log(e^base + e^new) - base = log1p(e^(new - base)); the sum of base is common.
            delta = (math.log(w_new) + log_const) - 0.5 * np.maximum(maha, 0.0) - base[:, None]
            gains[start : start + c.size] = np.log1p(np.exp(np.minimum(delta, 700.0))).sum(axis=0)
        best = int(cand[int(np.argmax(gains))])
        added.append(Xs[best].copy())
        maha = np.maximum(zz - 2.0 * Z @ Z[best] + zz[best], 0.0)
        logp = np.logaddexp(base, math.log(w_new) + log_const - 0.5 * maha)
        total += 1
    return np.vstack([means, np.array(added)])


#: Rows (evenly spaced over X) used to derive the initial weights and covariances.
INIT_ROWS = 200_000


def init_from_means(
    X: np.ndarray, means: np.ndarray, covariance_type: str, reg_covar: float = 1e-6
) -> tuple[np.ndarray, np.ndarray]:
    """Initial weights and precisions for a fit that starts from given means.

    Every row goes to its nearest mean; each part gives its component's weight (its
    share of the rows) and covariance (around the part's own centre, plus
    ``reg_covar`` on the diagonal), as a hard k-means assignment would, but to the
    given means rather than to a k-means run's. A part with too few rows for a
    covariance (at most ``n_features``) gets the pooled within-part covariance, and at
    least one row's weight.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    means : ndarray of shape (n_components, n_features)
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float, default=1e-6

    Returns
    -------
    weights : ndarray of shape (n_components,)
        Summing to 1.
    precisions : ndarray
        Inverse covariances in the layout of ``covariance_type`` (as
        ``precisions_init`` takes them).
    """
    Xs = _evenly_spaced_rows(X, INIT_ROWS)
    means = np.asarray(means, dtype=np.float64)
    n, d = Xs.shape
    K = means.shape[0]
    labels = np.empty(n, dtype=np.intp)
    mm = np.einsum("ij,ij->i", means, means)
    for start in range(0, n, CHUNK_ROWS):
        xc = Xs[start : start + CHUNK_ROWS]
        labels[start : start + xc.shape[0]] = np.argmin(mm[None, :] - 2.0 * xc @ means.T, axis=1)
    counts = np.bincount(labels, minlength=K).astype(np.float64)
    sums = np.zeros((K, d))
    np.add.at(sums, labels, Xs)
    centres = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], means)
    diff = Xs - centres[labels]
    scatter = np.zeros((K, d, d))
    for k in range(K):
        part = diff[labels == k]
        scatter[k] = part.T @ part
    pooled = scatter.sum(axis=0) / n
    eye = np.eye(d)
    small = counts <= d
    covs = np.where(
        small[:, None, None], pooled[None], scatter / np.maximum(counts, 1)[:, None, None]
    )
    weights = np.maximum(counts, 1.0)
    weights /= weights.sum()
    if covariance_type == "full":
        return weights, np.linalg.inv(covs + reg_covar * eye)
    if covariance_type == "tied":
        return weights, np.linalg.inv(pooled + reg_covar * eye)
    variances = np.diagonal(covs, axis1=1, axis2=2) + reg_covar
    if covariance_type == "diag":
        return weights, 1.0 / variances
    if covariance_type == "spherical":
        return weights, 1.0 / variances.mean(axis=1)
    raise ValueError(f"unknown covariance_type {covariance_type!r}.")
