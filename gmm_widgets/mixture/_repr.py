"""A plain HTML summary of a mixture model, for notebooks and static exports.

Pure HTML and inline CSS that reads JupyterLab's theme variables (with fallbacks), so it
renders in JupyterLab's light and dark themes, in Notebook 7, and in an exported page
with no JavaScript at all.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

__all__ = ["mixture_html"]

_STYLE = (
    "font-family:var(--jp-ui-font-family,system-ui,sans-serif);"
    "font-size:var(--jp-ui-font-size1,13px);color:var(--jp-ui-font-color1,inherit);"
    "border:1px solid var(--jp-border-color2,#ccc);border-radius:4px;padding:6px 10px;"
    "display:inline-block;max-width:100%;overflow-x:auto"
)
_CELL = "padding:1px 8px;text-align:right;border-bottom:1px solid var(--jp-border-color3,#eee)"
_HEAD = _CELL + ";font-weight:600"


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th style="{_HEAD}">{html.escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{html.escape(c)}</td>' for c in row) + "</tr>"
        for row in rows
    )
    return f'<table style="border-collapse:collapse;margin:4px 0"><tr>{head}</tr>{body}</table>'


def mixture_html(model: Any, max_components: int = 12) -> str:
    """HTML summary: the parameters, and for a fitted model its components.

    Parameters
    ----------
    model : GaussianMixture or any object with scikit-learn's mixture attributes
    max_components : int, default=12
        Components listed in the table; the rest are counted.

    Returns
    -------
    str
    """
    name = type(model).__name__
    ptext = repr(model)  # scikit-learn style: the parameters that differ from defaults
    parts = [f'<div style="{_STYLE}"><b>{html.escape(name)}</b>']
    parts.append(f'<div style="opacity:.8"><code>{html.escape(ptext)}</code></div>')
    if not hasattr(model, "means_"):
        parts.append('<div style="opacity:.8;margin-top:4px"><i>not fitted</i></div></div>')
        return "".join(parts)
    means = np.asarray(model.means_)
    weights = np.asarray(model.weights_)
    K, d = means.shape
    status = "converged" if getattr(model, "converged_", False) else "not converged"
    lb = getattr(model, "lower_bound_", np.nan)
    parts.append(
        f'<div style="margin-top:4px">{K} components, {d} features, '
        f"{getattr(model, 'n_iter_', '?')} iterations ({status}), "
        f"lower bound {float(lb):.5g}</div>"
    )
    feat = getattr(model, "feature_names_in_", None)
    names = [str(f) for f in feat] if feat is not None else [f"x{j}" for j in range(d)]
    order = np.argsort(-weights)[:max_components]
    show_means = d <= 6
    header = (
        ["component", "weight", *(f"mean {n}" for n in names)]
        if show_means
        else [
            "component",
            "weight",
            "|mean|",
        ]
    )
    rows = []
    for k in order:
        row = [str(int(k)), f"{weights[k]:.3f}"]
        row += (
            [f"{m:.4g}" for m in means[k]] if show_means else [f"{np.linalg.norm(means[k]):.4g}"]
        )
        rows.append(row)
    parts.append(_table(header, rows))
    if K > max_components:
        parts.append(f"<div>... and {K - max_components} more components</div>")
    parts.append("</div>")
    return "".join(parts)
