"""Run a notebook's code cells in this process, capturing what Jupyter would show.

Why in-process rather than a Jupyter kernel (nbclient): the snippet worker has torch,
matplotlib and the kernels already imported, so a notebook starts in milliseconds
instead of paying a kernel start and a torch import (about 3 s each); tracebacks point
at lines of ``exercises.py`` itself (each cell is compiled with its line offset); and
figures are captured as Figure objects, so they can be saved as SVG in the book's
light and dark styles instead of one inline PNG. What a cell shows is reproduced as
Jupyter would: printed text in order, every figure at ``plt.show()`` or at the end of
the cell, and the value of a final bare expression (its ``repr``).

Limits, checked by the build (a cell that uses them fails with a clear message):
IPython magics (``%…``, ``!…``) and rich display objects other than figures.
"""

from __future__ import annotations

import ast
import io
import os
import sys
import traceback
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

SVG_SALT = "attention-book"


@dataclass
class Output:
    kind: str                  # "stream", "result" or "figure"
    text: str = ""             # stream/result text
    svgs: dict = field(default_factory=dict)  # figure: {"light": bytes, "dark": bytes}


@dataclass
class CellRun:
    outputs: list[Output]
    error: BaseException | None = None
    where: str = ""            # "docs/…/exercises.py:LINE" of the innermost frame
    traceback: str = ""


class _Tee(io.TextIOBase):
    """stdout during a cell: appends each write to the cell's outputs, in order."""

    def __init__(self, outputs: list[Output]):
        self.outputs = outputs

    def write(self, text: str) -> int:
        if self.outputs and self.outputs[-1].kind == "stream":
            self.outputs[-1].text += text
        else:
            self.outputs.append(Output("stream", text))
        return len(text)


class Session:
    """One notebook run: a namespace shared by its cells, like one kernel."""

    def __init__(self, path: Path, root: Path):
        self.path = path
        self.root = root
        self.rel = path.relative_to(root).as_posix()
        self.namespace: dict = {"__name__": "__main__"}
        _reset_state()

    def run(self, source: str, first_line: int) -> CellRun:
        import matplotlib.pyplot as plt

        outputs: list[Output] = []
        try:
            body, last = _split_last_expression(source, self.rel, first_line)
        except SyntaxError as exc:
            return CellRun([], exc, f"{self.rel}:{exc.lineno}", "")
        original_show = plt.show
        plt.show = lambda *a, **k: _flush_figures(outputs)
        try:
            with redirect_stdout(_Tee(outputs)):
                exec(_compile(body, self.path, first_line, "exec"), self.namespace)
                if last is not None:
                    value = eval(_compile(last, self.path, first_line, "eval"),
                                 self.namespace)
                    if _shown(value):
                        outputs.append(Output("result", repr(value)))
            _flush_figures(outputs)
            return CellRun(outputs)
        except BaseException as exc:  # noqa: BLE001 — a cell may raise anything
            plt.close("all")
            return CellRun(outputs, exc, self._locate(exc, first_line),
                           "".join(traceback.format_exception(exc)))
        finally:
            plt.show = original_show

    def _locate(self, exc: BaseException, first_line: int) -> str:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if Path(f.filename).resolve().is_relative_to(self.root)
                  and "scripts/bookbuild" not in Path(f.filename).as_posix()]
        if not frames:
            return f"{self.rel}:{first_line}"
        inner = frames[-1]
        where = f"{Path(inner.filename).resolve().relative_to(self.root)}:{inner.lineno}"
        mine = [f for f in frames if Path(f.filename).resolve() == self.path.resolve()]
        if mine and mine[-1] is not inner:
            where += f" (called from {self.rel}:{mine[-1].lineno})"
        return where


def _reset_state() -> None:
    """Every run starts from the same seeds and the book's light figure style."""
    import random

    import matplotlib
    import matplotlib.pyplot as plt

    from snippets.style import LIGHT, rc_params

    import torch  # every notebook uses it; import it here to pin its threads

    random.seed(0)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(0)
    torch.manual_seed(0)
    # One thread per worker, as for snippets: the pool runs workers side by side.
    torch.set_num_threads(int(os.environ.get("BOOK_TORCH_THREADS", "1")))
    matplotlib.rcdefaults()
    matplotlib.rcParams.update(rc_params(LIGHT))
    plt.close("all")


def _compile(tree: ast.Module | ast.Expression, path: Path, first_line: int, mode):
    ast.increment_lineno(tree, first_line - 1)
    return compile(tree, str(path), mode)


def _split_last_expression(source: str, rel: str, first_line: int):
    """(module without the final bare expression, that expression or None)."""
    if any(line.lstrip().startswith(("%", "!")) for line in source.splitlines()):
        raise SyntaxError("IPython magics and shell escapes cannot run in the book's "
                          "build; write plain Python", (rel, first_line, 0, ""))
    tree = ast.parse(source)
    if tree.body and isinstance(tree.body[-1], ast.Expr) \
            and not source.rstrip().endswith(";"):
        last = ast.Expression(tree.body.pop().value)
        return tree, last
    return tree, None


def _shown(value) -> bool:
    """Jupyter shows a final expression's repr; skip None and matplotlib artists,
    whose repr holds a memory address (it would differ between builds)."""
    if value is None:
        return False
    items = value if isinstance(value, (list, tuple)) else [value]
    return not any(type(v).__module__.startswith("matplotlib") for v in items)


def _flush_figures(outputs: list[Output]) -> None:
    import matplotlib.pyplot as plt

    for number in plt.get_fignums():
        fig = plt.figure(number)
        outputs.append(Output("figure", svgs=render_both(fig)))
        plt.close(fig)


def render_both(fig) -> dict:
    """The figure as SVG in the light style it was drawn in, then recoloured dark."""
    from snippets.style import DARK, LIGHT, rc_params

    import matplotlib.pyplot as plt

    light = _svg(fig)
    # Swap while the light style is active: "C0" and friends resolve to the light
    # colours there; the swapped colours are concrete, so the dark style cannot
    # reinterpret them. New ticks made while saving take the dark style's colours.
    _recolour(fig, _light_to_dark(LIGHT, DARK))
    with plt.rc_context(rc_params(DARK)):
        dark = _svg(fig)
    return {"light": light, "dark": dark}


def _svg(fig) -> bytes:
    """Saved as artefacts.render_svg saves snippet figures: text stays text, with
    the book's font stack."""
    import matplotlib.pyplot as plt

    from snippets.style import FONT_STACK

    buf = io.BytesIO()
    with plt.rc_context({"svg.hashsalt": SVG_SALT, "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", transparent=True,
                    metadata={"Date": None, "Creator": None})
    stack = ", ".join(f"'{f}'" for f in FONT_STACK) + ", sans-serif"
    return buf.getvalue().replace(b"font-family: 'DejaVu Sans';",
                                  f"font-family: {stack};".encode())


def _light_to_dark(light, dark) -> dict[str, str]:
    """Colour by role: each light colour maps to the same role's dark colour."""
    from matplotlib.colors import to_hex

    pairs = {to_hex(getattr(light, r)): getattr(dark, r) for r in
             ("fg", "muted", "grid", "panel", "accent", "contrast", "good", "warn")}
    pairs.update({to_hex(a): b for a, b in zip(light.extra, dark.extra)})
    pairs.setdefault("#000000", dark.fg)      # matplotlib's own black
    pairs.setdefault("#ffffff", dark.background)
    return pairs


def _recolour(fig, mapping: dict[str, str]) -> None:
    """Swap every exact light-theme colour in the figure for its dark counterpart.

    Figures in notebooks use colours by role (``C0``…, the theme's text colour), so a
    role lookup recolours them faithfully; other colours (colormaps, named colours)
    are kept as drawn."""
    from matplotlib.collections import Collection
    from matplotlib.colors import ListedColormap, to_hex, to_rgba
    from matplotlib.image import AxesImage
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Annotation, Text

    def swap(colour):
        if colour is None or (isinstance(colour, str) and colour.lower() == "none"):
            return colour
        rgba = to_rgba(colour)
        new = mapping.get(to_hex(rgba, keep_alpha=False))
        return rgba if new is None else (*to_rgba(new)[:3], rgba[3])

    seen = set()
    for art in fig.findobj():
        if id(art) in seen:  # findobj can list an artist twice; swap it once
            continue
        seen.add(id(art))
        if isinstance(art, AxesImage) and isinstance(art.cmap, ListedColormap):
            colours = [swap(c) for c in art.cmap.colors]
            art.set_cmap(ListedColormap(colours, name=art.cmap.name))
        if isinstance(art, Annotation) and art.arrow_patch is not None:
            arrow = art.arrow_patch
            face, edge = arrow.get_facecolor(), arrow.get_edgecolor()
            arrow.set_facecolor(swap(face))
            arrow.set_edgecolor(swap(edge))
        if isinstance(art, Text):
            art.set_color(swap(art.get_color()))
        elif isinstance(art, Line2D):  # read all first: markers may follow the line
            line, face, edge = (art.get_color(), art.get_markerfacecolor(),
                                art.get_markeredgecolor())
            art.set_color(swap(line))
            art.set_markerfacecolor(swap(face))
            art.set_markeredgecolor(swap(edge))
        elif isinstance(art, Patch):
            face, edge = art.get_facecolor(), art.get_edgecolor()
            art.set_facecolor(swap(face))
            art.set_edgecolor(swap(edge))
        elif isinstance(art, Collection):
            face, edge = art.get_facecolor(), art.get_edgecolor()
            if len(face):
                art.set_facecolor([swap(c) for c in face])
            if len(edge):
                art.set_edgecolor([swap(c) for c in edge])
