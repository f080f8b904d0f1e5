"""What a snippet can produce: the ``Book`` object its ``main(book)`` receives.

A snippet makes one artefact—a figure or a table—and may publish facts (named numbers)
and claims (comparative statements it has checked) alongside it, or only those::

    def main(book):
        book.fact("rope_dot_3_7", dot, unit="", fmt=".3f")
        book.claim("tiled_flops_vs_naive", "about half the FLOPs of",
                   holds=0.45 < tiled / naive < 0.55, because=f"{tiled} vs {naive}")
        book.bound("rope_score_difference", diff, dtype="float64")
        book.figure(draw, alt="...", caption="...")

The build calls ``draw(theme)`` once per theme (light, dark) and writes deterministic
SVG; tables are Markdown text. Everything goes to a staging folder first and is only
moved into ``figures/`` by the engine when the whole snippet succeeded.
"""

from __future__ import annotations

import io
import math
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from . import BookError

FACT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# A published number this close to zero is almost always floating-point noise, whose
# digits change with the machine and the thread count: publish a bound instead.
NOISE_BELOW = 1e-9
SVG_SALT = "attention-book"  # fixed so matplotlib's SVG element ids never change


@dataclass
class Fact:
    """A named number. ``text`` is what a page shows for ``{{fact:name}}``."""

    name: str
    value: float
    unit: str
    text: str
    source: str = ""           # where the literature value comes from
    expected: float | None = None   # literature value that must match ...
    disputes: float | None = None   # ... or a literature value we show is wrong
    rel_tol: float = 0.0
    abs_tol: float = 0.0

    @property
    def bare(self) -> str:
        """The number without its unit, for tables and sentences that state the unit."""
        return self.text[: -len(self.unit)].rstrip() if self.unit else self.text

    def check(self, where: str) -> None:
        """Raise BookError if the literature value disagrees, or a disputed one
        agrees."""
        if self.expected is not None and not self._matches(self.expected):
            raise BookError(
                f"{where}: fact '{self.name}' disagrees with the literature.\n"
                f"  claimed : {self.expected!r} ({self.source or 'no source given'})\n"
                f"  computed: {self.value!r}\n"
                f"  allowed : rel_tol={self.rel_tol}, abs_tol={self.abs_tol}\n"
                "Fix the code, or, if the literature is wrong, pass the claim as "
                "disputes=... and say why in the lesson."
            )
        if self.disputes is not None and self._matches(self.disputes):
            raise BookError(
                f"{where}: fact '{self.name}' marks {self.disputes!r} as a wrong "
                f"literature value, but the code now computes {self.value!r}, which "
                "matches it. Re-check the claim and the lesson's correction note."
            )

    def _matches(self, claim: float) -> bool:
        return math.isclose(self.value, claim, rel_tol=self.rel_tol,
                            abs_tol=self.abs_tol)


def format_number(value: float, fmt: str) -> str:
    """Python format spec, plus 'sci:N' for N significant digits as a×10ⁿ."""
    if fmt.startswith("sci:"):
        from snippets.formatting import sci

        return sci(value, int(fmt[4:]))
    if fmt.endswith("d"):  # integer formats: the value must be a whole number
        if value != int(value):
            raise BookError(f"format {fmt!r} needs a whole number, got {value!r}")
        return format(int(value), fmt)
    return format(value, fmt)


class Book:
    """Collects one snippet's outputs in `staging`; see the module docstring."""

    def __init__(self, stem: str, staging: Path, where: str):
        self.stem = stem
        self.staging = staging
        self.where = where  # "snippets/<folder>/<stem>.py", for messages
        self.kind: str | None = None
        self.meta: dict = {}
        self.facts: dict[str, Fact] = {}
        self.claims: dict[str, dict] = {}
        self.files: list[str] = []

    # -- facts -------------------------------------------------------------------
    def fact(self, name: str, value: float, *, unit: str = "", fmt: str = "g",
             text: str | None = None, source: str = "", expected: float | None = None,
             disputes: float | None = None, rel_tol: float = 1e-3,
             abs_tol: float = 0.0, tiny_ok: bool = False) -> float:
        """Publish `value` as ``{{fact:name}}``; returns `value` for chaining.

        ``fmt`` is a format spec (",.0f", ".2f", "sci:3"); ``text`` overrides the
        display entirely (it must still come from code). With ``expected`` the build
        fails unless value ≈ expected; with ``disputes`` it fails if they DO agree.
        """
        if not FACT_NAME.match(name):
            raise BookError(f"{self.where}: fact name {name!r} must be snake_case")
        if name in self.facts:
            raise BookError(f"{self.where}: fact '{name}' published twice")
        number = float(value)
        if not math.isfinite(number):
            raise BookError(f"{self.where}: fact '{name}' is {value}, not a number")
        if 0 < abs(number) < NOISE_BELOW and not tiny_ok:
            raise BookError(
                f"{self.where}:{_caller_line()}: fact '{name}' is {number!r}, which "
                "looks like rounding noise (its digits differ between machines). "
                "Publish book.bound(name, value, dtype=...) instead, or pass "
                "tiny_ok=True if the number is really that small.")
        shown = text if text is not None else format_number(number, fmt)
        if unit and text is None:
            shown = f"{shown} {unit}" if unit[0].isalnum() else f"{shown}{unit}"
        fact = Fact(name, number, unit, shown, source, expected, disputes,
                    rel_tol, abs_tol)
        fact.check(self.where)
        self.facts[name] = fact
        return number

    def bound(self, name: str, measured: float, *, dtype: str, ulps: float = 64
              ) -> float:
        """Publish ``{{fact:name}}`` as a power of ten that `measured` stays below,
        e.g. "10⁻¹³", instead of the noise itself: the smallest power of ten at or
        above `ulps` times the machine epsilon of `dtype` ("float64", "float32").
        Fails here if |measured| is not below it. Returns the bound."""
        import numpy as np

        eps = float(np.finfo(dtype).eps)
        limit = 10.0 ** math.ceil(math.log10(ulps * eps))
        if not abs(measured) < limit:
            raise BookError(
                f"{self.where}:{_caller_line()}: bound '{name}': |{measured!r}| is not "
                f"below {limit:g} ({ulps:g} × eps({dtype}) = {ulps * eps:.3g}); this "
                "is more than rounding. Find out why before raising `ulps`.")
        exponent = round(math.log10(limit))
        return self.fact(name, limit, text=f"10{_superscript(exponent)}", tiny_ok=True,
                         source=f"below {ulps:g}·eps({dtype}); measured {measured!r}")

    # -- claims ------------------------------------------------------------------
    def claim(self, name: str, text: str, *, holds: bool, because: str = "") -> str:
        """Publish `text` as ``{{claim:name}}``: words a page's sentence relies on
        ("about half the FLOPs of", "28, the first m under 10 %"), checked here.

        `holds` is the snippet's own test of the statement on what it measured; the
        build fails at this line when it is false, so the sentence and the code cannot
        disagree. `because` records the evidence (numbers) for the error message."""
        where = f"{self.where}:{_caller_line()}"
        if not FACT_NAME.match(name):
            raise BookError(f"{where}: claim name {name!r} must be snake_case")
        if name in self.claims:
            raise BookError(f"{where}: claim '{name}' published twice")
        _require_text(text, "claim text", where)
        if not isinstance(holds, (bool, np_bool())):
            raise BookError(f"{where}: claim '{name}': holds= must be a bool computed "
                            f"from the measurement, not {type(holds).__name__}")
        if not holds:
            raise BookError(
                f"{where}: claim '{name}' does not hold: the page says "
                f"{text.strip()!r}, but the measurement disagrees"
                + (f" ({because})" if because else "") + ". Fix the code, or change "
                "the claim and the sentence that uses it.")
        self.claims[name] = {"text": text.strip(), "because": because}
        return text

    # -- the one artefact --------------------------------------------------------
    def figure(self, draw: Callable, *, alt: str, caption: str) -> None:
        """Render ``draw(theme) -> matplotlib Figure`` in light and dark as SVG."""
        from snippets.style import THEMES

        self._claim("figure")
        _require_text(alt, "alt", self.where)
        _require_text(caption, "caption", self.where)
        for theme in THEMES:
            name = f"{self.stem}.{theme.name}.svg"
            (self.staging / name).write_bytes(render_svg(draw, theme))
            self.files.append(name)
        self.meta = {"alt": alt.strip(), "caption": caption.strip()}

    def table(self, markdown: str, *, caption: str) -> None:
        """A Markdown table (header, separator, rows) with a caption."""
        self._claim("table")
        _require_text(caption, "caption", self.where)
        lines = [ln for ln in markdown.strip().splitlines() if ln.strip()]
        if len(lines) < 3 or not re.match(r"^\|?[\s:|-]+\|?$", lines[1]):
            raise BookError(f"{self.where}: table() needs a Markdown table with a "
                            "header row, a |---| separator and at least one row")
        name = f"{self.stem}.md"
        (self.staging / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.files.append(name)
        self.meta = {"caption": caption.strip()}

    def _claim(self, kind: str) -> None:
        if self.kind is not None:
            raise BookError(f"{self.where}: one snippet makes one artefact; it already "
                            f"made a {self.kind}. Split it into two snippet files.")
        self.kind = kind

    def result(self) -> dict:
        if self.kind is None and not self.facts and not self.claims:
            raise BookError(f"{self.where}: main(book) produced nothing; call "
                            "book.figure(), book.table(), book.fact() or book.claim()")
        return {
            "kind": self.kind or "facts",
            "meta": self.meta,
            "facts": {n: asdict(f) for n, f in self.facts.items()},
            "claims": self.claims,
            "files": self.files,
        }


def _caller_line() -> int:
    """Line number in the snippet (the first frame outside this file)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    return frame.f_lineno if frame is not None else 0


def np_bool() -> type:
    import numpy as np

    return np.bool_


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _superscript(exponent: int) -> str:
    return str(exponent).translate(_SUPERSCRIPT)


def _require_text(value: str, what: str, where: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise BookError(f"{where}: a non-empty {what} is required")


def render_svg(draw: Callable, theme) -> bytes:
    """Call draw(theme) under the theme's rcParams; return reproducible SVG bytes."""
    import matplotlib.pyplot as plt

    from snippets.style import FONT_STACK, rc_params

    with plt.rc_context(rc_params(theme)):
        fig = draw(theme)
        buf = io.BytesIO()
        # The salt must be set at save time: style contexts inside draw() reset it.
        with plt.rc_context({"svg.hashsalt": SVG_SALT, "svg.fonttype": "none"}):
            fig.savefig(buf, format="svg", bbox_inches="tight", transparent=True,
                        metadata={"Date": None, "Creator": None})
        plt.close(fig)
    # Text stays text (svg.fonttype none: smaller files, selectable, crisp when
    # enlarged). Mathtext glyphs name their own font only; give them the book's
    # fallback stack too, so a reader without DejaVu Sans gets Verdana, not serif.
    stack = ", ".join(f"'{f}'" for f in FONT_STACK) + ", sans-serif"
    return buf.getvalue().replace(b"font-family: 'DejaVu Sans';",
                                  f"font-family: {stack};".encode())
