"""Re-run tutorial notebooks and store their outputs the way they are committed.

    .venv/bin/python notebooks/refresh.py notebooks/*.ipynb

Each notebook runs top to bottom in a fresh kernel (nbclient, in notebooks/, as nbval
runs it), with its widget state saved in the metadata (for offline pages and the docs),
then its outputs are tidied so that diffs stay small: no execution timings, consecutive
stream outputs merged, and every PNG reduced to a palette of at most 256 colours
(gmm_widgets.widgets._base.palette_png; widget pictures already are).
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from PIL import Image

from gmm_widgets.widgets._base import palette_png


def tidy(nb: nbformat.NotebookNode) -> None:
    """Drop timings, merge streams and shrink the PNGs of ``nb``, in place."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        merged: list = []
        for out in cell.outputs:
            if (
                out.output_type == "stream"
                and merged
                and merged[-1].output_type == "stream"
                and merged[-1].name == out.name
            ):
                merged[-1].text += out.text
                continue
            png = out.get("data", {}).get("image/png")
            if png:
                image = Image.open(io.BytesIO(base64.b64decode(png)))
                smaller = palette_png(image)
                if len(smaller) < len(base64.b64decode(png)):
                    out.data["image/png"] = base64.b64encode(smaller).decode("ascii")
            merged.append(out)
        cell.outputs = merged


def refresh(path: Path, timeout: float = 600) -> None:
    # Every widget output gets its static PNG (off by default in interactive sessions:
    # see GMMWidget.static_fallback); the kernel inherits this environment.
    os.environ["GMM_WIDGETS_STATIC_FALLBACK"] = "1"
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        store_widget_state=True,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    client.execute()
    tidy(nb)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=float, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        refresh(path, args.timeout)
        print(f"refreshed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
