"""The engagement page's charts: SVG drawn by matplotlib, inlined in the page.

Each chart is one `Chart`: its figures (rows by columns), drawn here as bars or
lines and written by the template as a `<table>` of the very same numbers, so
a screen reader, a text browser and a printout get everything the picture says.
The SVG itself is an image with a name and a description (`role="img"`,
`<title>`, `<desc>`), its text kept as text (searchable, scalable, not paths),
no script, and the same figures give the same bytes (fixed ids, no date).

matplotlib is imported here only, when a site with metrics lines is built: a
site without them never loads it.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from typing import Any

# Okabe and Ito's palette: told apart with the common colour-vision deficiencies;
# the bars also carry their values and every chart has its table.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
TEXT = "#1b1c20"  # the page's text colour (light scheme); the chart sits on white


@dataclass(frozen=True)
class Chart:
    """One chart's figures: a value for each row and column, None where there is none."""

    id: str  # unique in the page: the SVG's ids and the table's anchor
    title: str
    description: str  # what the chart shows, in a sentence: the SVG's <desc>
    kind: str  # "bars" (a group of bars per row) or "lines" (a line per column)
    row_label: str  # what the rows are ("Network", "Month")
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]  # [row][column]
    unit: str  # what a value is, for the axis ("median likes per post")
    rate: bool = False  # values are rates: two decimals
    svg: str = ""  # filled by `draw`

    @property
    def table(self) -> list[tuple[str, list[str]]]:
        """(row label, its cells as shown) for each row: the chart's table."""
        return [
            (row, [self.cell(v) for v in values])
            for row, values in zip(self.rows, self.values, strict=True)
        ]

    def cell(self, value: float | None) -> str:
        if value is None:
            return "—"
        if self.rate:
            return f"{value:,.2f}"
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"


def draw(chart: Chart) -> Chart:
    """`chart` with its SVG."""
    from dataclasses import replace

    import matplotlib as mpl
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    style: dict[str, Any] = {
        "svg.fonttype": "none",  # text stays text
        "svg.hashsalt": chart.id,  # fixed ids, distinct from the other charts' in the page
        "font.family": "sans-serif",
        "font.size": 10,
        "text.color": TEXT,
        "axes.labelcolor": TEXT,
        "axes.edgecolor": "#6b6f78",
        "xtick.color": TEXT,
        "ytick.color": TEXT,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with mpl.rc_context(style):  # type: ignore[arg-type]  # its keys are typed as literals
        figure = Figure(figsize=(7.2, 3.6), layout="constrained")
        axes = figure.add_subplot()
        if chart.kind == "lines":
            _lines(axes, chart)
        else:
            _bars(axes, chart)
        if not chart.rate:  # counts: no tick at 2.5 posts
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(chart.unit)
        axes.set_ylim(bottom=0)
        axes.grid(axis="y", color="#d4d7dd", linewidth=0.6)
        axes.set_axisbelow(True)
        if len(chart.columns) > 1:
            axes.legend(frameon=False, ncols=min(len(chart.columns), 4), loc="upper left",
                        bbox_to_anchor=(0, 1.15))  # fmt: skip
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return replace(chart, svg=_accessible(out.getvalue(), chart))


def _bars(axes: Any, chart: Chart) -> None:
    count = len(chart.columns)
    width = 0.8 / count
    for c, column in enumerate(chart.columns):
        xs = [r + (c - (count - 1) / 2) * width for r in range(len(chart.rows))]
        heights = [row[c] or 0.0 for row in chart.values]
        bars = axes.bar(
            xs,
            heights,
            width * 0.92,
            label=column,
            color=PALETTE[c % len(PALETTE)],
            hatch=HATCHES[c % len(HATCHES)],
            edgecolor="white",
            linewidth=0.5,
        )
        labels = [chart.cell(row[c]) for row in chart.values]
        axes.bar_label(bars, labels=labels, padding=2, fontsize=8)
    axes.set_xticks(range(len(chart.rows)), chart.rows)
    axes.margins(y=0.15)


def _lines(axes: Any, chart: Chart) -> None:
    xs = range(len(chart.rows))
    for c, column in enumerate(chart.columns):
        points = [(x, row[c]) for x, row in zip(xs, chart.values, strict=True)]
        known = [(x, v) for x, v in points if v is not None]
        axes.plot(
            [x for x, _ in known],
            [v for _, v in known],
            label=column,
            color=PALETTE[c % len(PALETTE)],
            marker=MARKERS[c % len(MARKERS)],
            markersize=4,
            linewidth=1.5,
        )
    every = max(1, len(chart.rows) // 12)  # at most a dozen month labels
    ticks = list(xs)[::every]
    axes.set_xticks(ticks, [chart.rows[x] for x in ticks], rotation=0)


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


def _accessible(svg: str, chart: Chart) -> str:
    """matplotlib's SVG made fit to inline: no XML prologue or metadata, sized by
    the page (its viewBox kept), and an image named by its title and description."""
    svg = _PROLOGUE.sub("", svg, count=1)
    svg = _METADATA.sub("", svg, count=1)
    opening = _SVG_OPEN.search(svg)
    if opening is None:  # pragma: no cover - matplotlib always writes one
        raise ValueError("matplotlib wrote no <svg> element")
    tag = _SIZE.sub("", opening.group())
    title, desc = f"{chart.id}-title", f"{chart.id}-desc"
    tag = tag.replace("<svg", f'<svg role="img" aria-labelledby="{title} {desc}" class="chart"', 1)
    named = (
        f'<title id="{title}">{html.escape(chart.title)}</title>'
        f'<desc id="{desc}">{html.escape(chart.description)}</desc>'
    )
    return svg[: opening.start()] + tag + named + svg[opening.end() :].strip() + "\n"
