"""The Python/JS contract: each widget's JSDoc typedef names exactly its synced traits.

Each view's model is typed by ``<Widget>Traits`` in ``js/src/<bundle>/traits.js`` (the
shared ones in ``js/src/lib/traits.js``), and ``tsc --checkJs`` holds the views to it.
Here the typedef is read back and compared with the ``sync=True`` traits of the Python
class: the same names, and for scalars and enums the same types, so that renaming or
adding a trait on one side without the other fails in pytest rather than in a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import anywidget
import pytest
import traitlets

from gmm_widgets.widgets import AnomalyInspector, FitPlayer, MixtureExplorer, ModelSelector
from gmm_widgets.widgets._base import GMMWidget, ProjectedWidget

SRC = Path(__file__).resolve().parents[2] / "js" / "src"
WIDGETS = [FitPlayer, MixtureExplorer, ModelSelector, AnomalyInspector]


# ------------------------------------------------------------------ JSDoc reading
@dataclass(frozen=True)
class Typedef:
    """One ``@typedef``: its type expression and, for ``{object}``, its properties."""

    type: str
    properties: dict[str, str]


def _balanced(text: str, start: int) -> tuple[str, int]:
    """The ``{...}`` type expression at ``text[start] == "{"``, and the index after it."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
    raise ValueError(f"unbalanced braces in JSDoc: {text[start : start + 60]!r}")


def _tags(block: str) -> list[tuple[str, str, str]]:
    """``(tag, type, name)`` for every ``@tag {type} name`` of a JSDoc block."""
    out = []
    for m in re.finditer(r"@(typedef|property)\s*(?=\{)", block):
        type_, end = _balanced(block, m.end())
        name = re.match(r"\s*\[?([\w$]+)", block[end:])
        if name is None:
            raise ValueError(f"@{m.group(1)} {{{type_}}} without a name")
        out.append((m.group(1), " ".join(type_.split()), name.group(1)))
    return out


def read_typedefs(path: Path) -> dict[str, Typedef]:
    """Every typedef of a JS file, by name."""
    out: dict[str, Typedef] = {}
    for raw in re.findall(r"/\*\*(.*?)\*/", path.read_text(), flags=re.S):
        block = "\n".join(re.sub(r"^\s*\* ?", "", line) for line in raw.splitlines())
        current = None
        for tag, type_, name in _tags(block):
            if tag == "typedef":
                current = out[name] = Typedef(type_, {})
            elif current is None:
                raise ValueError(f"{path}: @property {name} outside a @typedef")
            else:
                current.properties[name] = type_
    return out


def _split_top(expr: str, sep: str) -> list[str]:
    """Split a type expression at ``sep`` outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(expr):
        if ch in "{(<[":
            depth += 1
        elif ch in "})>]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(expr[start:i].strip())
            start = i + 1
    parts.append(expr[start:].strip())
    return parts


def resolve(path: Path, name: str) -> dict[str, str]:
    """The properties of typedef ``name`` in ``path``, following ``A & B`` and imports."""
    typedef = read_typedefs(path)[name]
    if typedef.type == "object":
        return dict(typedef.properties)
    props: dict[str, str] = {}
    for part in _split_top(typedef.type, "&"):
        m = re.fullmatch(r'import\("([^"]+)"\)\.([\w$]+)', part)
        target = (path.parent / m.group(1), m.group(2)) if m else (path, part)
        for key, type_ in resolve(*target).items():
            assert key not in props, f"{name}: {key} comes from two typedefs"
            props[key] = type_
    return props


# ------------------------------------------------------------------ Python side
FRAMEWORK = set(anywidget.AnyWidget.class_traits(sync=True))


def synced(cls: type) -> dict[str, traitlets.TraitType]:
    """The synced traits a gmm_widgets class defines (anywidget's and ipywidgets' out)."""
    return {k: t for k, t in cls.class_traits(sync=True).items() if k not in FRAMEWORK}


def expected_type(trait: traitlets.TraitType) -> set[str] | None:
    """The JSDoc union a scalar or enum trait must have (None: not checked here)."""
    if isinstance(trait, traitlets.Enum):
        members = {f'"{v}"' for v in trait.values}
    elif isinstance(trait, traitlets.Bool):
        members = {"boolean"}
    elif isinstance(trait, (traitlets.Int, traitlets.Float)):
        members = {"number"}
    elif isinstance(trait, traitlets.Unicode):
        members = {"string"}
    else:
        return None
    return members | ({"null"} if trait.allow_none else set())


def _check(cls: type, path: Path, name: str) -> None:
    js = resolve(path, name)
    py = synced(cls)
    assert sorted(js) == sorted(py), (
        f"{name} in {path.relative_to(SRC.parents[1])} must name the synced traits of "
        f"{cls.__name__}: missing in JS {sorted(set(py) - set(js))}, "
        f"not in Python {sorted(set(js) - set(py))}"
    )
    for key, trait in py.items():
        want = expected_type(trait)
        if want is not None:
            got = set(_split_top(js[key], "|"))
            assert got == want, f"{name}.{key}: JSDoc says {js[key]}, Python has {want}"


@pytest.mark.parametrize("cls", WIDGETS, ids=lambda c: c.__name__)
def test_typedef_names_the_synced_traits(cls):
    _check(cls, SRC / cls._bundle / "traits.js", f"{cls.__name__}Traits")


def test_shared_typedefs_follow_the_base_classes():
    lib = SRC / "lib" / "traits.js"
    _check(GMMWidget, lib, "GMMWidgetTraits")
    _check(ProjectedWidget, lib, "ProjectedWidgetTraits")


def test_the_list_of_projected_traits_is_the_typedef():
    """PROJECTED_WIDGET_TRAITS (what an embedded player forwards) names those traits."""
    text = (SRC / "lib" / "traits.js").read_text()
    listed = re.search(r"PROJECTED_WIDGET_TRAITS = \[(.*?)\]", text, flags=re.S)
    assert listed is not None
    names = re.findall(r'"(\w+)"', listed.group(1))
    assert sorted(names) == sorted(synced(ProjectedWidget))


def test_the_views_use_the_typedefs():
    """Each view types its model with the widget's typedef, so tsc checks its keys."""
    for cls in WIDGETS:
        view = (SRC / cls._bundle / "view.js").read_text()
        assert f'import("./traits.js").{cls.__name__}Model' in view, cls.__name__


def test_the_reader_sees_what_it_checks(tmp_path):
    """The JSDoc reader: nested braces, optional properties, intersections, imports."""
    (tmp_path / "base.js").write_text(
        "/**\n * @typedef {object} Base\n * @property {number} n_samples rows\n */\n"
    )
    (tmp_path / "w.js").write_text(
        "/**\n * @typedef {object} Own\n"
        " * @property {{mean?: import('x').A,\n *   components?: B}} pca the basis\n"
        ' * @property {"a"|"b"} [mode] optional\n */\n'
        '/** @typedef {import("./base.js").Base & Own} WTraits */\n'
    )
    props = resolve(tmp_path / "w.js", "WTraits")
    assert props == {
        "n_samples": "number",
        "pca": "{mean?: import('x').A, components?: B}",
        "mode": '"a"|"b"',
    }
    assert expected_type(traitlets.Enum(("a", "b"), allow_none=True)) == {'"a"', '"b"', "null"}
