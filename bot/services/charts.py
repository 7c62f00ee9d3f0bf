"""Charts as PNG, with real Chinese glyphs (Noto Sans CJK SC ships with the project's
dependencies). matplotlib is imported on first use: most updates never draw."""

import io
from functools import cache

CJK_FAMILY = "Noto Sans CJK SC"


@cache
def _matplotlib():
    import matplotlib

    matplotlib.use("Agg")
    import noto_cjk_sans_otc
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
    matplotlib.rcParams["font.family"] = [CJK_FAMILY, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return matplotlib


def font_file() -> str:
    """The font file matplotlib will use for our labels (for checks and tests)."""
    _matplotlib()
    from matplotlib import font_manager

    return font_manager.findfont(
        font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False
    )


def _colour(value: float | None) -> str:
    if value is None:
        return "#b0b0b0"
    return "#2e7d32" if value >= 0.8 else "#f9a825" if value >= 0.5 else "#c62828"


def readiness_chart(title: str, labels: list[str], values: list[float | None], na: str) -> bytes:
    """Horizontal bars, one per clause, 0–100 %, labelled in the caller's language."""
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 0.6 * len(labels) + 1.4), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    shown = [0 if v is None else v * 100 for v in values]
    bars = axes.barh(range(len(labels)), shown, color=[_colour(v) for v in values])
    axes.set_yticks(range(len(labels)), labels=labels, fontsize=11)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("%")
    axes.set_title(title, fontsize=13)
    axes.axvline(80, color="#2e7d32", linestyle=":", linewidth=1)
    for bar, value in zip(bars, values, strict=True):
        text = na if value is None else f"{round(value * 100)}%"
        axes.text(
            min(bar.get_width() + 1, 88),
            bar.get_y() + bar.get_height() / 2,
            text,
            va="center",
            fontsize=10,
        )
    return _png(figure, axes)


def week_chart(
    title: str, labels: list[str], opened: list[int], closed: list[int], first: str, second: str
) -> bytes:
    """Two bars per label (reports opened and closed in the week), counts written on them."""
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.6), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    places = range(len(labels))
    width = 0.38
    for offset, values, name, colour in (
        (-width / 2, opened, first, "#c62828"),
        (width / 2, closed, second, "#2e7d32"),
    ):
        bars = axes.bar([p + offset for p in places], values, width, label=name, color=colour)
        axes.bar_label(bars, fontsize=10)
    axes.set_xticks(list(places), labels=labels, fontsize=11)
    axes.set_title(title, fontsize=13)
    axes.legend(frameon=False)
    axes.set_ylim(0, max([*opened, *closed, 1]) * 1.25)
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure, axes)


def trend_chart(
    title: str, periods: list[str], values: list[float], target: float, target_label: str
) -> bytes:
    """An objective's values per period as a line, with its target as a dashed line."""
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.6), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(range(len(periods)), values, marker="o", color="#1565c0")
    for place, value in enumerate(values):
        axes.annotate(
            f"{value:g}",
            (place, value),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=9,
        )
    axes.axhline(target, color="#2e7d32", linestyle="--", linewidth=1, label=target_label)
    axes.set_xticks(list(range(len(periods))), labels=periods, fontsize=9, rotation=30)
    axes.set_title(title, fontsize=13)
    axes.legend(frameon=False)
    return _png(figure, axes)


def bar_chart(title: str, labels: list[str], values: list[int]) -> bytes:
    """One bar per label (e.g. reports per month), counts written on them."""
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.4), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bars = axes.bar(range(len(labels)), values, color="#c62828")
    axes.bar_label(bars, fontsize=9)
    axes.set_xticks(list(range(len(labels))), labels=labels, fontsize=9, rotation=30)
    axes.set_title(title, fontsize=13)
    axes.set_ylim(0, max([*values, 1]) * 1.25)
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure, axes)


def _png(figure, axes) -> bytes:
    """The figure as PNG bytes, without the top and right frame lines."""
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
