"""GaussianMixture: validation and the EM loop, which reports to the callbacks."""

from __future__ import annotations

import math
import numbers
import time
import warnings
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from gmm_widgets.mixture import _init
from gmm_widgets.mixture._blas import blas_single_thread
from gmm_widgets.mixture._compiled import compiled_kernel, use_compiled
from gmm_widgets.mixture._constraints import FixedParams, check_fixed
from gmm_widgets.mixture._covariance import get_strategy, n_mixture_parameters
from gmm_widgets.mixture._em import EMRun, run_em
from gmm_widgets.mixture._engine import auto_chunk_size, feature_scale
from gmm_widgets.mixture._estimator import EstimatorMixin
from gmm_widgets.mixture._initial import (
    Inits,
    InitSettings,
    check_inits,
    initial_params,
    initial_params_with_noise,
)
from gmm_widgets.mixture._labels import check_labels, labelled_means, labelled_start
from gmm_widgets.mixture._missing import (
    GapParams,
    ImputedSource,
    check_gaps,
    check_missing,
    find_gaps,
    gap_estep,
    impute_rows,
    missing_chunk_size,
    refuse_infinity,
    run_missing_em,
)
from gmm_widgets.mixture._moments import n_quad
from gmm_widgets.mixture._noise import (
    NoiseBox,
    check_noise,
    check_noise_volume,
    data_box,
    noise_mask,
)
from gmm_widgets.mixture._online import drop_online_state, online_step
from gmm_widgets.mixture._sources import Source, data_center, make_source
from gmm_widgets.mixture._stats import ChunkParams, EMParams, chunk_estep
from gmm_widgets.mixture._validation import (
    ConvergenceWarning,
    NotFittedError,
    check_choice,
    check_dask_X,
    check_feature_names,
    check_int,
    check_random_state,
    check_sample_weight,
    check_X,
    feature_names_of,
    is_dask_array,
)
from gmm_widgets.mixture.callbacks import EMState, PrintProgress
from gmm_widgets.mixture.params import mixture_params

__all__ = ["GaussianMixture"]

#: Rows per block of ``impute(draw=True)``: fixed, so that the draws of a seed depend on
#: the rows only, not on ``chunk_size``.
_DRAW_BLOCK = 4096

Callback = Callable[[EMState], Any]

#: Smallest positive ``tol`` that float32 arithmetic can resolve: below it, fits of
#: float32 data compute in float64 (see ``GaussianMixture._compute_dtype``). The mean
#: per-sample lower bound in float32 arithmetic wobbles by about 1e-6 from iteration to
#: iteration (measured on 2e5 x 8 blobs, all four covariance types).
FLOAT32_MIN_TOL = 1e-4


def _check_float(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} ({value!r}).")
    if not math.isfinite(float(value)) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}.")
    return float(value)


def _notify(callbacks: list[Callback], state: EMState) -> bool:
    """Call every callback; True when one asked to stop this init."""
    stop = False
    for cb in callbacks:
        try:
            if cb(state) is True:
                stop = True
        except StopIteration:
            stop = True
    return stop


# What the prediction methods compute per chunk, from the E-step of a centred chunk.
def _log_density(xc: np.ndarray, *, cp: ChunkParams, estep=chunk_estep) -> np.ndarray:
    """``log p(x)`` per row, shape (n,)."""
    log_norm, _ = estep(xc, cp)
    return log_norm.astype(np.float64)


def _labels(xc: np.ndarray, *, cp: ChunkParams, n_gaussians: int, estep=chunk_estep) -> np.ndarray:
    """The most likely component per row, shape (n,); -1 for the noise component."""
    _, log_resp = estep(xc, cp)
    labels = log_resp.argmax(axis=0)
    labels[labels == n_gaussians] = -1
    return labels


def _responsibilities(xc: np.ndarray, *, cp: ChunkParams, estep=chunk_estep) -> np.ndarray:
    """``p(k | x)`` per row, shape (n, K), or (n, K + 1) with the noise last."""
    _, log_resp = estep(xc, cp)
    return np.exp(log_resp.T.astype(np.float64))


def _log_likelihood_and_entropy(
    xc: np.ndarray, *, cp: ChunkParams, estep=chunk_estep
) -> np.ndarray:
    """The chunk's ``[sum of log p(x), entropy of the assignment]``, shape (1, 2)."""
    log_norm, log_resp = estep(xc, cp)
    lr = log_resp.astype(np.float64)
    entropy = -np.sum(np.exp(lr) * lr, where=np.isfinite(lr))
    return np.array([[log_norm.sum(dtype=np.float64), entropy]])


class _Reporter:
    """The EM loop's ``on_iteration``: each iteration's state to the callbacks.

    Returns True when a callback asked to stop this initialisation.
    """

    def __init__(
        self,
        model: GaussianMixture,
        callbacks: list[Callback],
        init: int,
        center: np.ndarray,
        t0: float,
    ) -> None:
        self.model, self.callbacks = model, callbacks
        self.init, self.center, self.t0 = init, center, t0

    def __call__(
        self, n_iter: int, params: EMParams, lower_bound: float, change: float, converged: bool
    ) -> bool:
        state = self.model._state(
            self.init, n_iter, params, self.center, lower_bound, change, converged, self.t0
        )
        return _notify(self.callbacks, state)


class GaussianMixture(EstimatorMixin):
    """Gaussian mixture model fitted by expectation-maximisation.

    Speaks scikit-learn's API and, from the same starting point, gives the same numbers
    as :class:`sklearn.mixture.GaussianMixture` (to about 1e-10 relative in float64),
    computed from per-chunk sufficient statistics: one pass over the data per
    iteration, in bounded memory, on several threads. Adds ``sample_weight``,
    per-iteration ``callbacks``, :meth:`icl`, and fits NumPy memmaps and Dask arrays.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        ``"full"``: each component has its own covariance matrix; ``"tied"``: all share
        one; ``"diag"``: each has a diagonal covariance; ``"spherical"``: each has a
        single variance.
    tol : float, default=1e-3
        EM stops when the mean per-sample lower bound changes by less than ``tol``.
        float32 data are computed in float32 unless ``0 < tol < 1e-4``, which float32
        arithmetic cannot resolve: then in float64 (see Notes).
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance, keeping it positive definite.
    max_iter : int, default=100
        EM iterations per initialisation.
    n_init : int, default=1
        Initialisations; the one with the highest lower bound is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, default="kmeans"
        How the responsibilities (and so the parameters) are initialised. A seeded
        start depends on the data as a weighted set of points: shuffling the rows, or
        passing a point once with weight ``m`` instead of ``m`` times, gives the same
        start (k-means, k-means++ and ``"random_from_data"`` draw by weight from the
        distinct rows in sorted order; ``"random"`` draws each row's responsibilities
        from its values). Above 100,000 rows the k-means and k-means++ draws read a
        seeded subsample of the rows by position, which a shuffle changes.
    weights_init : array-like of shape (n_components,), optional
        Initial weights (non-negative, summing to 1).
    means_init : array-like of shape (n_components, n_features), optional
        Initial means.
    precisions_init : array-like, optional
        Initial precisions (inverse covariances), in the shape of ``covariance_type``:
        ``(n_components, n_features, n_features)`` for ``"full"``, ``(n_features,
        n_features)`` for ``"tied"``, ``(n_components, n_features)`` for ``"diag"``,
        ``(n_components,)`` for ``"spherical"``.
    random_state : int, RandomState, Generator or None, default=None
        Seeds the initialisation and :meth:`sample`.
    warm_start : bool, default=False
        Start :meth:`fit` from the previous fit's parameters (and with ``n_init=1``).
    verbose : int, default=0
        ``1`` prints each init's start and end; ``2`` also every ``verbose_interval``
        iterations. Implemented as a :class:`PrintProgress` callback.
    verbose_interval : int, default=10
        Iterations between progress lines when ``verbose >= 2``.
    callbacks : callable or list of callables, optional
        Each is called with an :class:`EMState` after every initialisation and every
        iteration; returning ``True`` or raising ``StopIteration`` stops that init.
    chunk_size : int, optional
        At most this many rows per chunk (chunks are evened out across the workers).
        By default chosen from ``n_components``, ``n_features`` and the covariance type
        so that the per-chunk temporaries stay a few MB; memory beyond ``X`` is bounded
        by it.
    n_jobs : int, optional
        Worker threads for large inputs; ``None`` uses every core. During ``fit``, BLAS
        itself runs on one thread (also in callbacks): the workers are the parallelism.
    noise : bool or array-like, default=False
        Add a uniform *noise* component (mclust's ``Vinv``): its density is ``1 / V``
        inside the bounding box of the training data (``V`` the box's volume) and 0
        outside it; its weight ``noise_weight_`` is estimated by EM with the others.
        Background points then stop pulling the Gaussians' means and covariances.
        ``True`` starts every fit at a noise weight of 0.1; a boolean mask of shape
        (n_samples,) or an array of row indices names the initial noise points instead:
        the Gaussians are initialised from the other rows, and the noise weight starts
        at the flagged rows' share of the sample weight. With a noise component,
        ``predict`` gives ``-1`` for the samples most likely noise, ``predict_proba``
        has ``n_components + 1`` columns (noise last), ``sample`` draws noise points
        (label ``-1``) in the box, ``bic``/``aic`` count one more free parameter and the
        callbacks' :class:`~gmm_widgets.EMState` carry ``noise_weight``. Needs a box of
        positive volume: no constant feature unless ``noise_volume`` is given. The
        compiled kernel (numba) has no noise row; such fits run the NumPy passes.
    noise_volume : float, optional
        ``V`` to use instead of the box's volume (mclust's ``1 / Vinv``), e.g. the
        volume of the region the background is known to fill.
    learning_decay : float, default=0.6
        Only for :meth:`partial_fit`: ``kappa`` of the step sizes ``gamma_t = (t +
        learning_offset) ** -learning_decay``, in (0.5, 1].
    learning_offset : float, default=0.0
        Only for :meth:`partial_fit`: ``t0 >= 0`` of the step sizes; larger values make
        the early batches' steps smaller.
    missing : {"error", "em"}, default="error"
        What NaN in ``X`` means. ``"error"``: refused with a clear message (as
        scikit-learn). ``"em"``: a missing value, missing at random. EM then uses the
        exact marginal density of each row's observed features, and the M-step fills
        in missing features by their conditional means given the observed ones, adding
        the conditional covariance (all four covariance types). The lower bound is the
        mean observed-data log-likelihood and never decreases. Data without NaN fit
        exactly as with ``"error"``. Rows whose every feature is NaN carry no
        information: ``fit`` leaves them out with a ``MissingValuesWarning`` naming
        how many; for such rows ``score_samples`` gives 0 (the log of the probability
        of observing nothing), ``predict_proba`` the weights and ``predict`` the
        heaviest component. ``score_samples``, ``predict``, ``predict_proba``,
        ``score``, ``bic``, ``aic`` and ``icl`` take rows with NaN and use the observed
        features' marginals (the criteria are then observed-data likelihoods; the
        parameter count is unchanged, missing values are not parameters). The
        initialisation (``init_params``) runs on mean-imputed data (each NaN replaced
        by its feature's observed mean), so it is deterministic under
        ``random_state``. Infinity is still refused. Not with ``noise`` or Dask arrays
        (a clear ``ValueError``); memmaps work, chunk by chunk. The cost per iteration
        grows with the number of distinct missingness patterns per chunk. See
        :meth:`impute`.
    fixed_weights : array-like of shape (n_components,) or dict, optional
        Weights held at given values during the fit: an array fixes all of them (they
        must sum to 1), a dict ``{k: w_k}`` fixes component ``k``'s only. Fixed weights
        must be in (0, 1] and sum to less than 1 when some are free; the free weights
        then share the rest, ``w_k = (1 - sum of fixed) N_k / sum_free N_j``.
    fixed_means : array-like of shape (n_components, n_features) or dict, optional
        Means held at given values: an array fixes all, ``{k: mean of shape
        (n_features,)}`` some. The covariances of fixed-mean components are the
        scatter about the fixed mean (the exact M-step), for every covariance type.
    fixed_covariances : array-like or dict, optional
        Covariances held at given values, in ``covariance_type``'s shape (see
        ``precisions_init``), or ``{k: covariance of component k}`` (not for
        ``"tied"``, which is fixed whole). Must be positive definite (positive for diag
        and spherical); used as given, without ``reg_covar``. The means' update does
        not depend on the covariances, so free means are updated as usual.
    equal_weights : bool, default=False
        Hold every weight at ``1 / n_components`` (mclust's ``equalPro``); cannot be
        combined with ``fixed_weights``. See Notes for fixed parameters.
    partial_labels : bool, default=False
        Read ``fit(X, y)``'s ``y`` as partial labels (semi-supervised EM, see
        :meth:`fit`). Off by default, so that ``y`` is ignored as scikit-learn's
        ``GaussianMixture`` ignores it: pipelines and model searches pass their ``y``
        to every step, and it must not change an unsupervised fit.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_ : ndarray
        Shape as for ``precisions_init``.
    precisions_ : ndarray
        Inverse covariances, same shape.
    precisions_cholesky_ : ndarray
        Cholesky factors of the precisions, same shape.
    converged_ : bool
        Whether the best init converged.
    n_iter_ : int
        Iterations of the best init.
    lower_bound_ : float
        Lower bound (mean log-likelihood) of the best init's last iteration.
    lower_bounds_ : list of float
        Lower bound after every iteration of the best init.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features,)
        Only when ``X`` was a DataFrame with string column names.
    noise_weight_ : float
        Only with ``noise``: the noise component's weight; ``weights_.sum() +
        noise_weight_ == 1``.
    noise_bounds_ : ndarray of shape (2, n_features)
        Only with ``noise``: the box's lower and upper corners (the training data's
        minimum and maximum of each feature).
    noise_volume_ : float
        Only with ``noise``: ``V``, so the noise density inside the box is
        ``noise_weight_ / noise_volume_``.
    n_batches_seen_ : int
        Only after :meth:`partial_fit`: batches blended into the running statistics
        (a model fitted by :meth:`fit` counts as one).

    Notes
    -----
    Fixed parameters (``fixed_weights``, ``fixed_means``, ``fixed_covariances``,
    ``equal_weights``) are also the starting values of those parameters: they override
    ``weights_init``/``means_init``/``precisions_init`` and the init method for those
    components. Each M-step maximises the expected complete-data log-likelihood over
    the free parameters exactly (``gmm_widgets/mixture/_constraints.py``). ``bic``,
    ``aic`` and ``icl`` count only free parameters: ``max(F - 1, 0)`` weights for ``F``
    free weights when some are fixed (``K - 1`` when none is, 0 with
    ``equal_weights``), ``n_features`` per free mean, and the covariance parameters of
    each free covariance (a tied one counts while it is free). They are not combined
    with ``noise`` (a ValueError).

    With numba installed (``pip install gmm_widgets[fast]``), large fits with full
    covariances (from about 10^5 samples at 8 features) run a compiled kernel, about
    twice as fast per iteration, with the same numbers up to the order of the sums
    (about 1e-16 relative). float32 data then run in float32 arithmetic, faster again,
    with covariances within about 1e-6 of the float64 fit's (without numba, float32
    data are computed in float64 products: about 5e-8). numba compiles the kernel on
    first use (about 2 s, then cached on disk; in a thread of its own, so that Ctrl-C
    during it is safe); smaller fits never load numba. Set ``GMM_WIDGETS_NUMBA=0`` to
    turn it off.

    float32 data stay float32 in the hot loop, with statistics accumulated in float64.
    The lower bound then carries float32 rounding (it wobbles by about 1e-6 between
    iterations), so a ``tol`` between 0 and ``FLOAT32_MIN_TOL = 1e-4`` could only be met
    by luck: such fits compute in float64 instead (chunk by chunk, ``X`` is not copied;
    about half as fast), and converge as float64 data would. ``tol=0`` runs all
    ``max_iter`` iterations in float32.

    Fits are safe in threads and processes: two threads may fit at once (BLAS runs on
    one thread while any fit runs and is restored exactly after the last), a child made
    by ``fork`` gets a new worker pool, and Ctrl-C stops a fit within a chunk's time,
    leaving no worker busy.

    Examples
    --------
    >>> import numpy as np
    >>> from gmm_widgets import GaussianMixture
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
    >>> np.round(np.sort(gm.means_[:, 0]), 3)
    array([ 1., 10.])
    """

    # Set by fit (annotated for the type checker; absent until then).
    weights_: np.ndarray
    means_: np.ndarray
    covariances_: np.ndarray
    precisions_: np.ndarray
    precisions_cholesky_: np.ndarray
    converged_: bool
    n_iter_: int
    lower_bound_: float
    lower_bounds_: list[float]
    n_features_in_: int

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init: Any = None,
        means_init: Any = None,
        precisions_init: Any = None,
        random_state: Any = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
        callbacks: Callback | Sequence[Callback] | None = None,
        chunk_size: int | None = None,
        n_jobs: int | None = None,
        noise: Any = False,
        noise_volume: float | None = None,
        learning_decay: float = 0.6,
        learning_offset: float = 0.0,
        missing: str = "error",
        fixed_weights: Any = None,
        fixed_means: Any = None,
        fixed_covariances: Any = None,
        equal_weights: bool = False,
        partial_labels: bool = False,
    ) -> None:
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.callbacks = callbacks
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.noise = noise
        self.noise_volume = noise_volume
        self.learning_decay = learning_decay
        self.learning_offset = learning_offset
        self.missing = missing
        self.fixed_weights = fixed_weights
        self.fixed_means = fixed_means
        self.fixed_covariances = fixed_covariances
        self.equal_weights = equal_weights
        self.partial_labels = partial_labels

    # ------------------------------------------------------------------ validation
    def _check_parameters(self) -> None:
        check_int(self.n_components, "n_components", 1)
        get_strategy(self.covariance_type)
        _check_float(self.tol, "tol")
        _check_float(self.reg_covar, "reg_covar")
        check_int(self.max_iter, "max_iter", 0)
        check_int(self.n_init, "n_init", 1)
        check_choice(self.init_params, "init_params", _init.INIT_METHODS)
        check_int(self.verbose, "verbose", 0)
        check_int(self.verbose_interval, "verbose_interval", 1)
        if self.chunk_size is not None:
            check_int(self.chunk_size, "chunk_size", 1)
        if self.n_jobs is not None and self.n_jobs != -1:
            check_int(self.n_jobs, "n_jobs", 1)
        check_noise(self.noise)
        check_noise_volume(self.noise_volume)
        if check_missing(self.missing) == "em" and self.noise is not False:
            raise ValueError(
                "missing='em' cannot be combined with a noise component yet; use "
                "noise=False, or missing='error' with imputed data."
            )
        if not isinstance(self.partial_labels, (bool, np.bool_)):
            raise TypeError(f"partial_labels must be True or False, got {self.partial_labels!r}.")
        self._callback_list()

    def _callback_list(self) -> list[Callback]:
        cbs = self.callbacks
        if cbs is None:
            out: list[Callback] = []
        elif callable(cbs):
            out = [cbs]
        elif isinstance(cbs, (list, tuple)):
            out = list(cbs)
        else:
            raise TypeError(
                "callbacks must be a callable or a list of callables taking an EMState, "
                f"got {type(cbs).__name__}."
            )
        for cb in out:
            if not callable(cb):
                raise TypeError(f"every callback must be callable; {cb!r} is not.")
        if self.verbose:
            out.append(PrintProgress(self.verbose, self.verbose_interval))
        return out

    def _check_fixed(self, n_features: int) -> FixedParams | None:
        fixed = check_fixed(
            self.fixed_weights,
            self.fixed_means,
            self.fixed_covariances,
            self.equal_weights,
            self.n_components,
            self.covariance_type,
            n_features,
        )
        if fixed is not None and check_noise(self.noise)[0]:
            raise ValueError(
                "fixed parameters and equal_weights are not supported with a noise "
                "component; set noise=False or leave every parameter free."
            )
        return fixed

    def _check_inits(self, n_features: int) -> Inits:
        return check_inits(
            self.weights_init,
            self.means_init,
            self.precisions_init,
            self.n_components,
            self.covariance_type,
            n_features,
        )

    def check_fit_args(self, X: Any, sample_weight: Any = None, *, y: Any = None) -> None:
        """Raise the error ``fit(X, sample_weight=sample_weight)`` would raise, at once.

        Checks this estimator's parameters (including ``weights_init``, ``means_init``
        and ``precisions_init`` against ``X``'s features), ``X`` and ``sample_weight``
        as :meth:`fit` does, without fitting and without changing the estimator: a
        widget or a pipeline can refuse bad input before it starts anything.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A NumPy array, memmap, DataFrame or Dask array.
        sample_weight : array-like of shape (n_samples,), optional
        y : array-like of shape (n_samples,), optional
            Partial labels, checked when ``partial_labels=True``.

        Raises
        ------
        ValueError or TypeError
            The one :meth:`fit` would raise before its first iteration.
        """
        X, w, _ = self._checked_input(X, sample_weight)
        self._check_inits(X.shape[1])
        if self.missing == "em":
            check_gaps(X, w, max(2, self.n_components))
        self._check_fixed(X.shape[1])
        if self.partial_labels:
            check_labels(y, X.shape[0], self.n_components)

    def _validate_data(self, X: Any, sample_weight: Any):
        X, w, names = self._checked_input(X, sample_weight)
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return X, w

    def _checked_input(self, X: Any, sample_weight: Any):
        """(X, sample_weight, feature names or None) checked as fit needs them."""
        self._check_parameters()
        K = self.n_components
        names = None
        if is_dask_array(X):
            X = check_dask_X(X)
        else:
            names = feature_names_of(X)
            X = check_X(X, min_samples=1, check_finite=self.missing == "error")
            if self.missing == "em":
                refuse_infinity(X)
        n_samples = X.shape[0]
        if n_samples < max(2, K):
            raise ValueError(
                f"X has {n_samples} sample(s) but n_components={K} needs at least "
                f"{max(2, K)}: lower n_components or pass more data."
            )
        w = check_sample_weight(sample_weight, n_samples)
        if w is not None and np.count_nonzero(w) < K:
            raise ValueError(
                f"sample_weight has only {np.count_nonzero(w)} positive weight(s), fewer "
                f"than n_components={K}."
            )
        return X, w, names

    # --------------------------------------------------------------------- fitting
    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> GaussianMixture:
        """Estimate the parameters with EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data; a NumPy array, memmap, DataFrame or Dask array. NaN marks a missing
            value with ``missing="em"`` (not for Dask arrays) and is refused otherwise.
        y : array-like of shape (n_samples,), optional
            Ignored unless ``partial_labels=True``. Then partial labels
            (semi-supervised EM): the component of each row that is known, ``-1`` for
            unknown rows. Labelled rows have responsibility 1 for their component in
            every E-step, so EM maximises the unlabelled rows' log-likelihood plus the
            labelled rows' ``log(w_y N(x | y))`` (the lower bound is this per unit of
            sample weight). The init uses the labels: a class with labelled rows
            starts at their weighted mean (a fixed mean wins), and without
            ``means_init`` the init method's components are first matched to the
            classes (each labelled class takes the nearest), so an unlabelled class
            does not start on a labelled one. With every row labelled, one M-step gives
            the per-class weighted estimates; ``None`` (as scikit-learn's pipelines
            pass) or all ``-1`` is the unsupervised fit. The compiled kernel is not
            used with labels.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights. Integer weights give the same fit as repeating rows.

        Returns
        -------
        self : GaussianMixture
        """
        self._fit(X, sample_weight, y)
        return self

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit, then return the most likely component of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), optional
            Partial labels with ``partial_labels=True``, as in :meth:`fit`; else ignored.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            :meth:`predict`, except that with ``partial_labels`` labelled rows get their
            label (their responsibilities in the fit's final E-step).
        """
        labels = self._fit(X, sample_weight, y)
        out = self.predict(X)
        if labels is not None:
            known = labels >= 0
            out[known] = labels[known]
        return out

    def _fit(self, X: Any, sample_weight: Any, y: Any = None) -> np.ndarray | None:
        # BLAS stays at one thread for the whole fit, not only inside the chunk passes:
        # after a multi-threaded call (even on the M-step's tiny matrices) OpenBLAS's
        # idle threads busy-wait and take the cores our own chunk workers need. Measured
        # at (N, d, K) = (1e5, 16, 8): 39 ms per iteration with, 22 ms without.
        with blas_single_thread():
            return self._fit_em(X, sample_weight, y)

    def _fit_em(self, X: Any, sample_weight: Any, y: Any = None) -> np.ndarray | None:
        X, w = self._validate_data(X, sample_weight)
        n_features = X.shape[1]
        inits = self._check_inits(n_features)
        fixed = self._check_fixed(n_features)
        labels = None
        if self.partial_labels:
            labels = check_labels(y, X.shape[0], self.n_components)
        if labels is not None and check_noise(self.noise)[0]:
            raise ValueError(
                "partial labels y are not supported with a noise component; set "
                "noise=False or fit without y."
            )
        callbacks = self._callback_list()
        K = self.n_components
        use_noise, noise_points = check_noise(self.noise)
        # With missing="em" and NaN in X: the rows' weights (0 for rows all NaN) and
        # the observed means; without NaN the fit is the one of missing="error".
        gaps = None if self.missing == "error" else find_gaps(X, w, max(2, K))
        if gaps is not None:
            if fixed is not None or labels is not None:
                raise ValueError(
                    "X has missing values (missing='em'), which cannot be combined with "
                    "fixed parameters, equal_weights or partial labels yet: impute X "
                    "first (e.g. GaussianMixture(missing='em').fit(X).impute(X)), or "
                    "leave the parameters free and the rows unlabelled."
                )
            w = gaps.weights
        do_init = self._check_warm_start(n_features, use_noise)
        mask = None if noise_points is None else noise_mask(noise_points, X.shape[0])
        chunk = self.chunk_size or auto_chunk_size(K, n_features, self.covariance_type)
        if gaps is not None and self.chunk_size is None:
            chunk = missing_chunk_size(X.shape[0], n_features, self.n_jobs)
        dtype = np.dtype(X.dtype)
        center = data_center(X, w) if gaps is None else gaps.center
        source = make_source(X, w, center, chunk, self.n_jobs, self._compute_dtype(dtype))
        center = source.center
        # The start is placed on mean-imputed data when values are missing.
        init_source = source if gaps is None else ImputedSource(source)
        # The scale the floor of singular covariances is tied to (SINGULAR_RTOL).
        scale = feature_scale(init_source)
        box = None
        if use_noise:
            box = data_box(source, check_noise_volume(self.noise_volume))
            if not do_init:  # a warm start keeps the fitted box
                box = self._noise_box_from_attributes(center)
        kernel = None
        # The compiled kernel has no noise row: with noise, the NumPy form of the same
        # statistics runs (same numbers, see tests/mixture/test_noise.py).
        full = self.covariance_type == "full" and not is_dask_array(X) and box is None
        full = full and labels is None  # nor fixed responsibilities: NumPy passes then
        if full and use_compiled(source.n_samples, n_quad(n_features), K, source.dtype):
            kernel = compiled_kernel(source.dtype)
        rs = check_random_state(self.random_state)
        settings = InitSettings(K, self.covariance_type, self.init_params, self.reg_covar, scale)

        label_means = None
        if labels is not None and do_init:
            label_means = labelled_means(source, labels, K, get_strategy(self.covariance_type))
        best: EMRun | None = None
        for init in range(self.n_init if do_init else 1):
            t0 = time.perf_counter()
            start_bound = -np.inf
            if not do_init:
                params = self._params_from_attributes(center)
                start_bound = float(self.lower_bound_)
            elif box is None:
                params = initial_params(init_source, rs, inits, settings)
            else:
                params = initial_params_with_noise(
                    source,
                    X,
                    w,
                    mask,
                    box,
                    rs,
                    inits,
                    settings,
                    chunk_size=chunk,
                    n_jobs=self.n_jobs,
                )
            if do_init and label_means is not None:
                params = labelled_start(params, *label_means, match=inits[1] is None)
            if fixed is not None:
                params = fixed.start(params, center)
            report = _Reporter(self, callbacks, init, center, t0) if callbacks else None
            if report is not None and report(0, params, -np.inf, np.nan, False):
                run = EMRun(params, lower_bound=start_bound, stopped=True)  # stopped at once
            else:
                common: dict[str, Any] = dict(
                    covariance_type=self.covariance_type,
                    reg_covar=self.reg_covar,
                    tol=self.tol,
                    max_iter=self.max_iter,
                    scale=scale,
                    noise_box=box,
                    kernel=kernel,
                    lower_bound=start_bound,
                    on_iteration=report,
                )
                if gaps is None:
                    run = run_em(source, params, fixed=fixed, labels=labels, **common)
                else:  # neither fixed parameters nor labels (refused above)
                    run = run_missing_em(source, params, **common)
            if best is None or run.lower_bound > best.lower_bound:
                best = run

        assert best is not None  # n_init >= 1
        self._set_attributes(best.params, center, dtype)
        drop_online_state(self)  # a partial_fit stream restarts from this fit
        self.converged_ = best.converged
        self.n_iter_ = best.n_iter
        self.lower_bound_ = best.lower_bound
        self.lower_bounds_ = best.lower_bounds
        self.n_features_in_ = n_features
        self._fixed_params = fixed
        if not best.converged and self.max_iter > 0 and not best.stopped:
            warnings.warn(
                "Best performing initialization did not converge after "
                f"max_iter={self.max_iter} iterations. Try different init parameters, "
                "increase max_iter or tol, or check for degenerate data.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return labels

    def partial_fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> GaussianMixture:
        """One step of stepwise online EM (Cappé and Moulines, 2009) on a batch.

        The model keeps running sufficient statistics per unit of sample weight, ``s``.
        For batch ``t = 1, 2, ...`` it computes the batch's E-step statistics under the
        current parameters (divided by the batch's total weight), blends them in,
        ``s <- (1 - gamma_t) s + gamma_t s_batch`` with ``gamma_t = (t + t0) ** -kappa``
        (``kappa = learning_decay`` in (0.5, 1], ``t0 = learning_offset >= 0``), and
        sets the parameters by the M-step of ``s`` (with ``reg_covar``). With ``0.5 <
        kappa <= 1`` the steps sum to infinity with a finite sum of squares, the
        condition under which the estimates converge to a stationary point of the
        expected log-likelihood; ``kappa`` near 0.5 forgets old batches faster (tracks
        drift), ``kappa = 1`` weighs the batches nearly equally.

        *First call.* Without a fit, the model is initialised from this batch with
        ``init_params``, ``random_state`` and ``weights_init``/``means_init``/
        ``precisions_init``, as :meth:`fit` would: the batch needs at least
        ``max(2, n_components)`` rows (and ``n_components`` positive weights).
        ``n_init > 1`` draws that many starts and keeps the one under which this batch
        has the highest mean log-likelihood. ``s_0`` are the statistics the start
        implies; with ``t0 = 0``, ``gamma_1 = 1`` and the first batch replaces them.
        After :meth:`fit` (or :meth:`from_params`), ``partial_fit`` continues from the
        fitted parameters, which count as batch 1 (the first new batch gets
        ``gamma_2``; raise ``learning_offset`` to give the fit more weight). A later
        :meth:`fit` starts afresh and drops the stream's statistics. ``warm_start``,
        ``tol`` and ``max_iter`` only concern :meth:`fit`: every call is one step.

        Every batch must have the first batch's features (count, and names for a
        DataFrame). The running statistics are float64; float32 batches are computed
        in float32, as in :meth:`fit`. A noise component is not supported. To fit a
        generator of batches or the blocks of a Dask array, see
        :func:`gmm_widgets.mixture.fit_stream`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The batch: a NumPy array, memmap, DataFrame or Dask array.
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights. Within a batch, integer weights give the same step as
            repeating rows. Each batch counts by its ``gamma_t``, whatever its size.

        Returns
        -------
        self : GaussianMixture
            With ``weights_``, ``means_``, ``covariances_``, ``precisions_``,
            ``precisions_cholesky_``, ``n_features_in_`` (and ``feature_names_in_``)
            set after every call, so :meth:`predict` and :meth:`score` work between
            batches; ``lower_bound_`` is this batch's mean log-likelihood under the
            parameters before the step, ``lower_bounds_`` every batch's,
            ``n_batches_seen_`` and ``n_iter_`` the number of batches, ``converged_``
            False (a stream has no convergence test).

        Raises
        ------
        ValueError
            If the batch has other features than the first, a first batch is too small,
            ``learning_decay`` or ``learning_offset`` is out of range, ``X`` holds NaN,
            ``n_components`` or ``covariance_type`` changed mid-stream, or a covariance
            collapses.

        Notes
        -----
        The callbacks receive one :class:`EMState` per batch, with ``n_iter`` the
        batch's number (and, on a fresh first call, the start with ``n_iter=0``),
        ``init=0``, ``converged=False`` and ``max_iter=0`` (a stream has no last
        batch); a callback's request to stop is honoured by ``fit_stream``, which then
        stops reading the stream.

        References
        ----------
        O. Cappé and E. Moulines, "On-line expectation-maximization algorithm for
        latent data models", J. R. Statist. Soc. B 71(3):593-613, 2009.

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> gm = GaussianMixture(2, random_state=0)
        >>> for _ in range(50):
        ...     labels = rng.integers(0, 2, 200)
        ...     gm = gm.partial_fit(rng.normal(size=(200, 1)) + 6.0 * labels[:, None])
        >>> np.round(np.sort(gm.means_[:, 0]), 1)
        array([0., 6.])
        """
        callbacks = self._callback_list()
        report = partial(_notify, callbacks) if callbacks else None
        with blas_single_thread():
            online_step(self, X, sample_weight, report)
        return self

    def _check_warm_start(self, n_features: int, use_noise: bool) -> bool:
        """Whether this fit initialises (True) or continues the fitted model (False).

        Raises
        ------
        ValueError
            If a warm start would continue a model of another shape: other features,
            K, covariance type, or with/without a noise component.
        """
        K = self.n_components
        do_init = not (self.warm_start and hasattr(self, "converged_"))
        if do_init:
            return True
        if self.n_features_in_ != n_features:
            raise ValueError(
                f"warm_start: X has {n_features} features but the model was fitted with "
                f"{self.n_features_in_}. Set warm_start=False to fit new data."
            )
        fitted_type = getattr(self, "_fitted_covariance_type", self.covariance_type)
        if len(self.weights_) != K or fitted_type != self.covariance_type:
            raise ValueError(
                f"warm_start: the model was fitted with n_components={len(self.weights_)} and "
                f"covariance_type={fitted_type!r}, but now has "
                f"n_components={K} and covariance_type={self.covariance_type!r}; a warm start "
                "continues the previous fit, so set warm_start=False to fit the new settings."
            )
        if use_noise != hasattr(self, "noise_weight_"):
            raise ValueError(
                "warm_start: the model was fitted "
                f"{'with' if not use_noise else 'without'} a noise component but now has "
                f"noise={self.noise!r}; set warm_start=False to fit the new settings."
            )
        return False

    def _compute_dtype(self, dtype: np.dtype) -> np.dtype:
        """The arithmetic of a fit's chunks: the data's, unless ``tol`` needs float64.

        In float32 arithmetic the mean per-sample lower bound carries rounding noise of
        about 1e-6 (a few float32 epsilons of its size), so a positive ``tol`` below
        :data:`FLOAT32_MIN_TOL` could never be met, or met only by luck. Such fits
        compute float32 data in float64 (exact centring, chunk by chunk; ``X`` is never
        copied), about half as fast. ``tol=0`` (run ``max_iter`` iterations) keeps
        float32.
        """
        if dtype == np.float32 and 0.0 < self.tol < FLOAT32_MIN_TOL:
            return np.dtype(np.float64)
        return dtype

    def _noise_box_from_attributes(self, center: np.ndarray) -> NoiseBox:
        bounds = np.asarray(self.noise_bounds_, dtype=np.float64)
        return NoiseBox(bounds[0] - center, bounds[1] - center, float(np.log(self.noise_volume_)))

    def _state(
        self, init, n_iter, params, center, lower_bound, change, converged, t0, max_iter=None
    ):
        """The EMState callbacks receive (``max_iter`` defaults to the estimator's)."""
        return EMState(
            init=init,
            n_iter=n_iter,
            weights=params.weights,
            means=params.means + center,
            covariances=params.covariances,
            covariance_type=self.covariance_type,
            lower_bound=float(lower_bound),
            change=float(change),
            converged=converged,
            elapsed=time.perf_counter() - t0,
            max_iter=self.max_iter if max_iter is None else max_iter,
            noise_weight=params.noise_weight,
        )

    def _set_attributes(self, params: EMParams, center: np.ndarray, dtype) -> None:
        strategy = get_strategy(self.covariance_type)
        self.weights_ = params.weights.astype(dtype)
        self.means_ = (params.means + center).astype(dtype)
        self.covariances_ = params.covariances.astype(dtype)
        self._fitted_covariance_type = self.covariance_type
        self.precisions_cholesky_ = params.prec_chol.astype(dtype)
        self.precisions_ = strategy.precisions(params.prec_chol).astype(dtype)
        self._fit_center = np.asarray(center, dtype=np.float64)
        if params.noise_weight is None:
            for name in ("noise_weight_", "noise_bounds_", "noise_volume_"):
                if hasattr(self, name):
                    delattr(self, name)
        else:
            box = params.noise_box
            assert box is not None, "a noise weight comes with its box"
            self.noise_weight_ = float(params.noise_weight)
            self.noise_bounds_ = np.stack([box.lo + center, box.hi + center])
            self.noise_volume_ = float(np.exp(box.log_volume))

    def _check_is_fitted(self) -> None:
        if not hasattr(self, "precisions_cholesky_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    def _params_from_attributes(self, center: np.ndarray) -> EMParams:
        return EMParams(
            weights=np.asarray(self.weights_, dtype=np.float64),
            means=np.asarray(self.means_, dtype=np.float64) - center,
            covariances=np.asarray(self.covariances_, dtype=np.float64),
            prec_chol=np.asarray(self.precisions_cholesky_, dtype=np.float64),
            covariance_type=self.covariance_type,
            noise_weight=getattr(self, "noise_weight_", None),
            noise_box=(
                self._noise_box_from_attributes(center) if hasattr(self, "noise_weight_") else None
            ),
        )

    # ----------------------------------------------------------------- prediction
    def _source_for(self, X: Any) -> tuple[Source, ChunkParams, int]:
        self._check_is_fitted()
        if is_dask_array(X):
            X = check_dask_X(X, n_features=self.n_features_in_, check_finite=True)
        else:
            check_feature_names(self, X)
            em = self._scores_missing()
            X = check_X(
                X, n_features=self.n_features_in_, owner=type(self).__name__, check_finite=not em
            )
            if em:
                refuse_infinity(X)
        center = getattr(self, "_fit_center", None)
        if center is None:
            center = np.dot(self.weights_, self.means_).astype(np.float64)
        K = len(self.weights_)
        chunk = self.chunk_size or auto_chunk_size(K, X.shape[1], self.covariance_type)
        source = make_source(X, None, center, chunk, self.n_jobs)
        cp = self._params_from_attributes(source.center).cast(source.dtype)
        return source, cp, K * (X.shape[1] + 1)

    def _scores_missing(self) -> bool:
        """Whether prediction takes NaN as missing (``missing="em"``, no noise component)."""
        return getattr(self, "missing", "error") == "em" and not hasattr(self, "noise_weight_")

    def _map_chunks(self, X: Any, fn: Callable[..., np.ndarray]) -> np.ndarray:
        """``fn(xc, cp)`` over the centred chunks of ``X``, concatenated in row order."""
        source, cp, work = self._source_for(X)
        if self._scores_missing():  # rows with NaN: the marginals
            gp = GapParams(self._params_from_attributes(source.center))
            return source.map(partial(fn, cp=cp, estep=partial(gap_estep, gp=gp)), work)
        return source.map(partial(fn, cp=cp), work)

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-density of each sample under the mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
        """
        return self._map_chunks(X, _log_density)

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float | np.float32:
        """Mean per-sample log-likelihood of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        float
        """
        scores = self.score_samples(X)
        w = check_sample_weight(sample_weight, scores.shape[0])
        mean = scores.mean() if w is None else np.dot(w, scores) / w.sum()
        # As scikit-learn: float32 data score as a float32 scalar.
        return np.float32(mean) if getattr(X, "dtype", None) == np.float32 else float(mean)

    def predict(self, X: Any) -> np.ndarray:
        """Most likely component of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Index of the component; ``-1`` for samples most likely noise when the
            model has a noise component (scikit-learn's "outlier" label).
        """
        self._check_is_fitted()
        return self._map_chunks(X, partial(_labels, n_gaussians=len(self.weights_)))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior probability (responsibility) of each component for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components), or (n_samples, n_components + 1)
            With a noise component its posterior probability is the last column.
        """
        return self._map_chunks(X, _responsibilities)

    def _n_parameters(self) -> int:
        K, d = self.means_.shape
        fixed = getattr(self, "_fixed_params", None)
        if fixed is not None:  # only the free parameters count (see the class notes)
            return fixed.n_parameters()
        # The noise component adds one free weight (its box is fixed by the data).
        return n_mixture_parameters(self.covariance_type, K, d) + hasattr(self, "noise_weight_")

    def criteria(self, X: Any) -> dict[str, float]:
        """Log-likelihood, BIC, AIC and ICL of ``X``, from one pass over the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        dict
            ``log_likelihood`` (mean per sample), ``bic``, ``aic``, ``icl`` (lower is
            better for all three), ``n_parameters`` and ``n_samples``; the same numbers
            as :meth:`score`, :meth:`bic`, :meth:`aic` and :meth:`icl`.
        """
        total, entropy = self._map_chunks(X, _log_likelihood_and_entropy).sum(axis=0)
        n = self._n_samples(X)
        p = self._n_parameters()
        bic = float(-2.0 * total + p * np.log(n))
        return {
            "log_likelihood": float(total / n),
            "bic": bic,
            "aic": float(-2.0 * total + 2.0 * p),
            "icl": bic + 2.0 * float(entropy),
            "n_parameters": p,
            "n_samples": n,
        }

    @classmethod
    def from_params(cls, params: Any) -> GaussianMixture:
        """A fitted model with given parameters, without a fit.

        It predicts, scores and samples with this module's E-step: the way to score any
        mixture (scikit-learn's, a recorded :class:`~gmm_widgets.mixture.EMState`, a
        dict of parameters) with the core's numbers.

        Parameters
        ----------
        params : estimator, EMState, MixtureParams, object or mapping
            Anything :func:`~gmm_widgets.mixture.mixture_params` reads: a fitted
            mixture (ours or scikit-learn's), its state, or ``weights``, ``means``,
            ``covariances`` and ``covariance_type``.

        Returns
        -------
        GaussianMixture
            Fitted (``weights_``, ``means_``, ``covariances_``, ``precisions_`` and
            ``precisions_cholesky_`` set; ``n_components`` and ``covariance_type`` from
            ``params``), not refitted by anything but an explicit :meth:`fit`. A fitted
            ``GaussianMixture`` with a noise component keeps it (``noise_weight_``,
            ``noise_bounds_``, ``noise_volume_``).

        Raises
        ------
        ValueError
            If a covariance is not positive definite, or ``params`` is not a valid
            mixture.

        Examples
        --------
        >>> import numpy as np
        >>> gm = GaussianMixture.from_params(
        ...     {"weights": [0.5, 0.5], "means": [[0.0], [4.0]],
        ...      "covariances": [1.0, 1.0], "covariance_type": "spherical"}
        ... )
        >>> gm.predict(np.array([[0.5], [3.0]])).tolist()
        [0, 1]
        """
        p = mixture_params(params)
        gm = cls._from_arrays(p.weights, p.means, p.covariances, p.covariance_type)
        if isinstance(params, GaussianMixture) and hasattr(params, "noise_weight_"):
            # A fitted noise component comes along: scores and labels stay the model's.
            gm.noise = True
            gm.noise_weight_ = float(params.noise_weight_)
            gm.noise_bounds_ = np.array(params.noise_bounds_, dtype=np.float64)
            gm.noise_volume_ = float(params.noise_volume_)
        if isinstance(params, GaussianMixture) and params.missing == "em":
            gm.missing = "em"  # rows with NaN are scored by their observed marginals
        return gm

    @classmethod
    def _from_arrays(
        cls, weights: Any, means: Any, covariances: Any, covariance_type: str
    ) -> GaussianMixture:
        strategy = get_strategy(covariance_type)
        means = np.asarray(means, dtype=np.float64)
        gm = cls(means.shape[0], covariance_type=covariance_type)
        gm.weights_ = np.asarray(weights, dtype=np.float64)
        gm.means_ = means
        gm.covariances_ = np.asarray(covariances, dtype=np.float64)
        gm.precisions_cholesky_ = strategy.precision_cholesky(gm.covariances_, 0.0)
        gm.precisions_ = strategy.precisions(gm.precisions_cholesky_)
        gm.n_features_in_ = means.shape[1]
        return gm

    def _n_samples(self, X: Any) -> int:
        return int(X.shape[0]) if hasattr(X, "shape") else len(X)

    def bic(self, X: Any) -> float:
        """Bayesian information criterion on ``X``; lower is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        float
            ``-2 * log-likelihood + n_parameters * log(n_samples)``. With
            ``missing="em"``, rows with NaN count the log-likelihood of their observed
            features (the parameter count is unchanged).
        """
        n = self._n_samples(X)
        return float(-2 * self.score(X) * n + self._n_parameters() * np.log(n))

    def aic(self, X: Any) -> float:
        """Akaike information criterion on ``X``; lower is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        float
            ``-2 * log-likelihood + 2 * n_parameters``. With ``missing="em"``, rows with NaN
            count the log-likelihood of their observed features (the parameter count
            is unchanged).
        """
        n = self._n_samples(X)
        return float(-2 * self.score(X) * n + 2 * self._n_parameters())

    def icl(self, X: Any) -> float:
        """Integrated completed likelihood criterion on ``X``; lower is better.

        BIC plus twice the entropy of the soft assignment, ``-2 * sum(r * log r)``: it
        penalises overlapping components, so it prefers well-separated clusters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        float
        """
        return self.criteria(X)["icl"]

    def sample(self, n_samples: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Draw samples from the fitted mixture.

        Uses ``random_state`` as scikit-learn does, so both give the same draws.

        Parameters
        ----------
        n_samples : int, default=1

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,)
            Component of each sample; ``-1`` for noise points (drawn uniformly in
            ``noise_bounds_``, with probability ``noise_weight_``), placed last.
        """
        self._check_is_fitted()
        if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
            raise TypeError(f"n_samples must be an int, got {type(n_samples).__name__}.")
        if n_samples < 1:
            raise ValueError(f"n_samples must be >= 1, got {n_samples}.")
        _, n_features = self.means_.shape
        rng = check_random_state(self.random_state)
        weights = np.asarray(self.weights_, dtype=np.float64)
        n_noise = 0
        if hasattr(self, "noise_weight_"):
            probs = np.append(weights, self.noise_weight_)
            *gauss, n_noise = rng.multinomial(n_samples, probs / probs.sum())
            counts = np.array(gauss)
        else:
            counts = rng.multinomial(n_samples, weights / weights.sum())
        ct = self.covariance_type
        if ct == "full":
            parts = [
                rng.multivariate_normal(m, c, int(s))
                for m, c, s in zip(self.means_, self.covariances_, counts, strict=True)
            ]
        elif ct == "tied":
            parts = [
                rng.multivariate_normal(m, self.covariances_, int(s))
                for m, s in zip(self.means_, counts, strict=True)
            ]
        else:
            parts = [
                m + rng.standard_normal(size=(s, n_features)) * np.sqrt(c)
                for m, c, s in zip(self.means_, self.covariances_, counts, strict=True)
            ]
        labels = [np.full(s, j, dtype=int) for j, s in enumerate(counts)]
        if n_noise:
            lo, hi = np.asarray(self.noise_bounds_, dtype=np.float64)
            parts.append(rng.uniform(lo, hi, size=(n_noise, n_features)))
            labels.append(np.full(n_noise, -1, dtype=int))
        X = np.vstack(parts)
        y = np.concatenate(labels)
        return X, y

    def impute(self, X: Any, *, draw: bool = False, random_state: Any = None) -> np.ndarray:
        """Fill in the missing values (NaN) of ``X`` from the fitted mixture.

        Works for any fitted model (whatever ``missing``); each row's observed values
        give the posterior ``p(k | x_o)`` from their marginal densities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            NaN marks a missing value; infinity is refused.
        draw : bool, default=False
            ``False``: the conditional expectation ``E[x_m | x_o] = sum_k p(k | x_o)
            E[x_m | x_o, k]``, where ``E[x_m | x_o, k] = mu_m + S_mo S_oo^-1 (x_o -
            mu_o)`` for component ``k``. ``True``: one draw per row from the conditional
            mixture (a component from ``p(k | x_o)``, then the missing values from its
            conditional Gaussian, covariance ``S_mm - S_mo S_oo^-1 S_om``).
        random_state : int, RandomState, Generator or None, default=None
            Seeds the draws (only with ``draw=True``).

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            A new array in ``X``'s float dtype: observed values exactly as given,
            missing ones filled in. A row with every value missing gets the mixture's
            mean (or a draw from the mixture).

        Raises
        ------
        ValueError
            For infinity, the wrong number of features, a Dask array or a model with
            a noise component.
        """
        self._check_is_fitted()
        if not isinstance(draw, (bool, np.bool_)):
            raise TypeError(f"draw must be True or False, got {draw!r}.")
        if is_dask_array(X):
            raise ValueError("impute does not take Dask arrays; pass X.compute().")
        if hasattr(self, "noise_weight_"):
            raise ValueError(
                "impute needs a mixture of Gaussians only; this model has a noise "
                "component (fit it with noise=False)."
            )
        check_feature_names(self, X)
        X = check_X(
            X, n_features=self.n_features_in_, owner=type(self).__name__, check_finite=False
        )
        refuse_infinity(X)
        center = getattr(self, "_fit_center", None)
        if center is None:
            center = np.dot(self.weights_, self.means_).astype(np.float64)
        gp = GapParams(self._params_from_attributes(center))
        rng = check_random_state(random_state) if draw else None
        out = np.empty(X.shape, dtype=X.dtype)
        step = self.chunk_size or auto_chunk_size(len(self.weights_), X.shape[1], "")
        if draw:  # blocks of a fixed size: a seed's draws do not depend on chunk_size
            step = _DRAW_BLOCK
        for start, stop in ((s, min(s + step, X.shape[0])) for s in range(0, X.shape[0], step)):
            block = np.asarray(X[start:stop])
            filled = impute_rows(block.astype(np.float64) - center, gp, rng) + center
            observed = ~np.isnan(block)
            filled[observed] = block[observed]
            out[start:stop] = filled
        return out

    # ------------------------------------------------------------------ helpers
    def _repr_html_(self) -> str:
        from gmm_widgets.mixture._repr import mixture_html

        return mixture_html(self)

    @property
    def n_parameters_(self) -> int:
        """Number of free parameters of the fitted model (as BIC counts them)."""
        self._check_is_fitted()
        return self._n_parameters()

    def covariances_full(self) -> np.ndarray:
        """Covariances expanded to full matrices, shape (n_components, n_features, n_features)."""
        self._check_is_fitted()
        K, d = self.means_.shape
        return get_strategy(self.covariance_type).to_full(self.covariances_, K, d)
