"""A plain HTML summary of a mixture model, for notebooks and static exports.

Pure HTML and inline CSS that reads JupyterLab's theme variables (with fallbacks), so it
renders in JupyterLab's light and dark themes, in Notebook 7, and in an exported page
with no JavaScript at all.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from gmm_widgets.mixture.params import mixture_params

__all__ = ["covariance_html", "mixture_html"]

_STYLE = (
    "font-family:var(--jp-ui-font-family,system-ui,sans-serif);"
    "font-size:var(--jp-ui-font-size1,13px);color:var(--jp-ui-font-color1,inherit);"
    "border:1px solid var(--jp-border-color2,#ccc);border-radius:4px;padding:6px 10px;"
    "display:inline-block;max-width:100%;overflow-x:auto"
)
_CELL = "padding:1px 8px;text-align:right;border-bottom:1px solid var(--jp-border-color3,#eee)"
_HEAD = _CELL + ";font-weight:600"


def _table_html(header: list[str], rows: list[list[str]]) -> str:
    """A table whose header is text (escaped here) and whose cells are HTML already."""
    head = "".join(f'<th style="{_HEAD}">{html.escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{c}</td>' for c in row) + "</tr>" for row in rows
    )
    return f'<table style="border-collapse:collapse;margin:4px 0"><tr>{head}</tr>{body}</table>'


_MAT = "padding:0 4px;text-align:right;border:none"
#: Largest number of features whose covariance matrices are written out in full.
MAX_MATRIX_FEATURES = 4


def _matrix(m: np.ndarray) -> str:
    rows = "".join(
        "<tr>" + "".join(f'<td style="{_MAT}">{v:.3g}</td>' for v in row) + "</tr>" for row in m
    )
    return f'<table style="border-collapse:collapse;display:inline-table">{rows}</table>'


def _summary_text(cov: np.ndarray) -> str:
    """Trace and log-determinant of a covariance matrix: its size and its volume."""
    sign, logdet = np.linalg.slogdet(cov)
    ld = f"{logdet:.4g}" if sign > 0 else "-inf"
    return f"tr {np.trace(cov):.4g}, log det {ld}"


def covariance_html(covariances: Any, covariance_type: str, k: int) -> str:
    """One component's covariance as HTML: the matrix, variances or a summary.

    Parameters
    ----------
    covariances : array-like
        In ``covariance_type``'s layout: ``(K, d, d)`` for ``"full"``, ``(d, d)`` for
        ``"tied"``, ``(K, d)`` for ``"diag"``, ``(K,)`` for ``"spherical"``.
    covariance_type : {"full", "tied", "diag", "spherical"}
    k : int
        The component (ignored for ``"tied"``, whose matrix is shared).

    Returns
    -------
    str
        The matrix with up to :data:`MAX_MATRIX_FEATURES` features, else its trace
        and log-determinant; ``diag(...)`` and ``σ² = ...`` for the diagonal and
        spherical types.
    """
    cov = np.asarray(covariances, dtype=np.float64)
    if covariance_type == "spherical":
        return html.escape(f"σ² = {cov[k]:.4g}")
    if covariance_type == "diag":
        v = cov[k]
        if v.shape[0] <= 2 * MAX_MATRIX_FEATURES:
            return html.escape("diag(" + ", ".join(f"{x:.3g}" for x in v) + ")")
        return html.escape(_summary_text(np.diag(v)))
    m = cov if covariance_type == "tied" else cov[k]
    if m.shape[0] <= MAX_MATRIX_FEATURES:
        return _matrix(m)
    return html.escape(_summary_text(m))


def mixture_html(
    model: Any,
    max_components: int = 12,
    *,
    covariances: bool = False,
    facts: list[tuple[str, str]] | None = None,
) -> str:
    """HTML summary: the parameters, and for a fitted model its components.

    Parameters
    ----------
    model : estimator, EMState, MixtureParams, object or mapping
        Anything :func:`~gmm_widgets.mixture.params.mixture_params` reads: a mixture
        estimator (fitted or not; ours or scikit-learn's) or its parameters.
    max_components : int, default=12
        Components listed in the table; the rest are counted.
    covariances : bool, default=False
        Add each component's covariance to the table (see :func:`covariance_html`);
        a tied covariance is shown once, under the table.
    facts : list of (str, str), optional
        Extra ``name: value`` read-outs (e.g. BIC) shown above the table, escaped.

    Returns
    -------
    str
        An estimator that is not fitted shows its parameters and "not fitted";
        parameters that cannot be read (NaN after a diverged fit) show why.
    """
    name = type(model).__name__
    parts = [f'<div style="{_STYLE}"><b>{html.escape(name)}</b>']
    estimator = hasattr(model, "fit")
    if estimator:
        # scikit-learn style: the parameters that differ from the defaults.
        parts.append(f'<div style="opacity:.8"><code>{html.escape(repr(model))}</code></div>')
        if not hasattr(model, "means_"):
            parts.append('<div style="opacity:.8;margin-top:4px"><i>not fitted</i></div></div>')
            return "".join(parts)
    try:
        params = mixture_params(model)
    except (TypeError, ValueError) as exc:  # e.g. a fit that diverged to NaN
        parts.append(f'<div style="margin-top:4px"><i>{html.escape(str(exc))}</i></div></div>')
        return "".join(parts)
    means, weights = params.means, params.weights
    K, d = means.shape
    line = f"{K} components, {d} features"
    if estimator or params.n_iter or np.isfinite(params.lower_bound):
        status = "converged" if params.converged else "not converged"
        n_iter = params.n_iter if params.n_iter or estimator else "?"
        line += f", {n_iter} iterations ({status}), lower bound {params.lower_bound:.5g}"
    parts.append(f'<div style="margin-top:4px">{html.escape(line)}</div>')
    if facts:
        items = " · ".join(f"{html.escape(str(k))} <b>{html.escape(str(v))}</b>" for k, v in facts)
        parts.append(f'<div style="margin-top:2px" data-gmm-role="facts">{items}</div>')
    feat = getattr(model, "feature_names_in_", None)
    names = [str(f) for f in feat] if feat is not None else [f"x{j}" for j in range(d)]
    order = np.argsort(-weights)[:max_components]
    show_means = d <= 6
    cov_type = params.covariance_type
    cov_arr = params.covariances if covariances else None
    per_component = cov_arr is not None and cov_type in ("full", "diag", "spherical")
    header = (
        ["component", "weight", *(f"mean {n}" for n in names)]
        if show_means
        else [
            "component",
            "weight",
            "|mean|",
        ]
    )
    if per_component:
        header.append("covariance")
    rows = []
    for k in order:
        row = [html.escape(str(int(k))), html.escape(f"{weights[k]:.3f}")]
        row += (
            [html.escape(f"{m:.4g}") for m in means[k]]
            if show_means
            else [html.escape(f"{np.linalg.norm(means[k]):.4g}")]
        )
        if per_component:
            row.append(covariance_html(cov_arr, cov_type, int(k)))
        rows.append(row)
    parts.append(_table_html(header, rows))
    if K > max_components:
        parts.append(f"<div>... and {K - max_components} more components</div>")
    if cov_arr is not None and cov_type == "tied":
        parts.append(
            '<div style="margin-top:2px">covariance (shared by all components): '
            f"{covariance_html(cov_arr, 'tied', 0)}</div>"
        )
    parts.append("</div>")
    return "".join(parts)
