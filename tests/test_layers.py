"""The layers: imports only go downward, and only through the core's public seam.

``gmm_widgets.mixture`` (pure NumPy/SciPy) -> ``plotting`` (matplotlib) -> ``widgets``
(anywidget). The layers above the core use the names ``gmm_widgets.mixture`` exports
and its public modules, never a ``gmm_widgets.mixture._private`` module or a
``_private`` name: a refactor inside the core then cannot break a widget.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gmm_widgets.mixture as core

PACKAGE = Path(core.__file__).resolve().parent.parent
CORE = PACKAGE / "mixture"
ABOVE = sorted(p for p in PACKAGE.rglob("*.py") if CORE not in p.parents)
RANK = {"mixture": 0, "plotting": 1, "widgets": 2}


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every ``gmm_widgets`` import in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("gmm_widgets"):
                found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("gmm_widgets"):
                    found.append((node.lineno, a.name, []))
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


@pytest.mark.parametrize("path", ABOVE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_above_the_core_only_the_public_seam(path):
    bad = []
    for line, module, names in _imports(path):
        if not module.startswith("gmm_widgets.mixture"):
            continue
        if any(part.startswith("_") for part in module.split(".")):
            bad.append(f"line {line}: imports the private module {module}")
        bad += [
            f"line {line}: imports the private name {module}.{n}" for n in names if n[0] == "_"
        ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_imports_only_go_downward(path):
    here = _layer("gmm_widgets." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
    if here is None:
        return
    up = [
        f"line {line}: {module}"
        for line, module, _ in _imports(path)
        if (there := _layer(module)) is not None and RANK[there] > RANK[here]
    ]
    assert not up, f"{path.name} ({here}) imports a higher layer:\n" + "\n".join(up)


def test_the_seam_exports_what_it_names():
    missing = [n for n in core.__all__ if not hasattr(core, n)]
    assert not missing
    assert set(core.COVARIANCE_TYPES) == {"full", "tied", "diag", "spherical"}
    assert set(core.INIT_METHODS) == {"kmeans", "k-means++", "random", "random_from_data"}


def test_the_checks_give_one_message():
    with pytest.raises(ValueError, match=r"covariance_type must be one of \['full'"):
        core.GaussianMixture(covariance_type="ful").fit([[0.0], [1.0]])
    with pytest.raises(ValueError, match=r"covariance_type must be one of \['full'"):
        core.mixture_params(
            {"weights": [1.0], "means": [[0.0]], "covariances": [1.0], "covariance_type": "x"}
        )
    with pytest.raises(ValueError, match=r"init_params must be one of"):
        core.GaussianMixture(init_params="kmeans+").fit([[0.0], [1.0]])
    with pytest.raises(TypeError, match=r"n_init must be an int, got float \(2.0\)"):
        core.GaussianMixture(n_init=2.0).fit([[0.0], [1.0]])
    with pytest.raises(ValueError, match=r"model was fitted on 2 feature\(s\) but X has 3"):
        core.check_model_features(2, 3)
    with pytest.raises(ValueError, match="must be one of"):
        core.check_choice(["full"], "covariance_type", core.COVARIANCE_TYPES)  # unhashable


def _core_graph() -> dict[str, set[str]]:
    """Which core modules each core module imports (at any depth in the file, so the
    imports deferred into functions count too); the package's ``__init__`` is left out
    (it only re-exports)."""
    modules = {p.stem for p in CORE.glob("*.py") if p.stem != "__init__"}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for m in modules:
        for _, module, names in _imports(CORE / f"{m}.py"):
            if module == "gmm_widgets.mixture":
                graph[m] |= {n for n in names if n in modules}
            elif module.startswith("gmm_widgets.mixture."):
                target = module.split(".")[2]
                if target in modules:
                    graph[m].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (its modules in order), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return [*path[path.index(n) :], n]
            if n not in state and (found := visit(n)):
                return found
        path.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_the_core_modules_import_one_another_without_a_cycle():
    graph = _core_graph()
    assert "_dask_engine" in graph["_sources"] and "_engine" in graph["_sources"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_check_finds_a_planted_cycle():
    graph = _core_graph()
    graph["_engine"] = graph["_engine"] | {"_sources"}  # the circle issue 15 broke, planted
    cycle = _cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1] and "_sources" in cycle
