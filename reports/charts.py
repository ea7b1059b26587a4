"""Chart definitions (Vega-Lite, written with Altair), one per figure, shared by the browser
(vega-embed from static/vendor/vega) and the PDF (SVG by vl-convert).

Every chart has tooltips and uses the Okabe-Ito palette, which stays distinct for colour-blind
readers; the page or the PDF shows the chart's table beside it.
"""

import altair as alt

from jwcu.models import Prefecture

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FONT = "Noto Sans CJK JP, Noto Sans, sans-serif"
WIDTH = 520

# (column, row) of each prefecture in a tile grid of Japan, north-east to south-west.
PREFECTURE_TILES = {
    "01": (11, 0), "02": (11, 2), "05": (10, 3), "03": (11, 3), "06": (10, 4), "04": (11, 4),
    "17": (7, 5), "16": (8, 5), "15": (9, 5), "07": (10, 5),
    "32": (1, 6), "31": (2, 6), "28": (3, 6), "26": (4, 6), "25": (5, 6), "18": (6, 6), "21": (7, 6),
    "20": (8, 6), "10": (9, 6), "09": (10, 6), "08": (11, 6),
    "35": (0, 7), "34": (1, 7), "33": (2, 7), "27": (3, 7), "29": (4, 7), "24": (5, 7), "23": (6, 7),
    "22": (7, 7), "19": (8, 7), "11": (9, 7), "13": (10, 7), "12": (11, 7),
    "41": (0, 8), "40": (1, 8), "44": (2, 8), "38": (3, 8), "37": (4, 8), "30": (5, 8), "14": (10, 8),
    "42": (0, 9), "43": (1, 9), "45": (2, 9), "39": (3, 9), "36": (4, 9),
    "46": (1, 10), "47": (0, 11),
}  # fmt: skip


def _finish(chart: alt.TopLevelMixin, title: str) -> dict:
    return (
        chart.properties(title=title)
        .configure(font=FONT)
        .configure_range(category=OKABE_ITO)
        .configure_view(stroke=None)
        .to_dict()
    )


YEN_LABELS = "replace(format(datum.value, '~s'), 'G', 'B')"  # 33.5B, not 33.5G


def bars(
    rows: list[dict], *, category: str, value: str, title: str, value_title: str, yen=False, ordered=False
) -> dict:
    """Horizontal bars, one per row, largest first (in the rows' order when ``ordered``)."""
    number = ",.0f"
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color=OKABE_ITO[0])
        .encode(
            y=alt.Y(f"{category}:N", sort=None if ordered else "-x", title=None),
            x=alt.X(
                f"{value}:Q",
                title=value_title,
                axis=alt.Axis(labelExpr=YEN_LABELS) if yen else alt.Axis(format=number),
            ),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=" "),
                alt.Tooltip(f"{value}:Q", title=value_title, format=number),
            ],
        )
        .properties(width=WIDTH, height=alt.Step(16))
    )
    return _finish(chart, title)


def lines(rows: list[dict], *, x: str, series: dict[str, str], title: str, value_title: str) -> dict:
    """One line per entry of ``series`` (field -> legend label) over ``x``."""
    chart = (
        alt.Chart(alt.Data(values=rows))
        .transform_fold(list(series), as_=["series", "value"])
        .transform_calculate(label="{" + ",".join(f"'{k}':'{v}'" for k, v in series.items()) + "}[datum.series]")
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=value_title, axis=alt.Axis(format="~s")),
            color=alt.Color("label:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip(f"{x}:O"), alt.Tooltip("label:N", title=" "), alt.Tooltip("value:Q", format=",")],
        )
        .properties(width=WIDTH, height=220)
    )
    return _finish(chart, title)


def stacked_shares(rows: list[dict], *, category: str, value: str, title: str, value_title: str) -> dict:
    """One bar of 100 %, split by ``category`` (shares of a whole)."""
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=alt.X(f"sum({value}):Q", stack="normalize", title=value_title, axis=alt.Axis(format="%")),
            color=alt.Color(f"{category}:N", title=None, legend=alt.Legend(orient="bottom", columns=3)),
            order=alt.Order(f"{value}:Q", sort="descending"),
            tooltip=[alt.Tooltip(f"{category}:N", title=" "), alt.Tooltip(f"{value}:Q", title=value_title, format=",")],
        )
        .properties(width=WIDTH, height=40)
    )
    return _finish(chart, title)


def grouped_shares(rows: list[dict], *, group: str, series: str, share: str, title: str, reference=None) -> dict:
    """Shares per group, one bar per series, with an optional reference rule (a national figure)."""
    base = alt.Chart(alt.Data(values=rows))
    chart = base.mark_bar().encode(
        y=alt.Y(f"{group}:N", title=None),
        yOffset=alt.YOffset(f"{series}:N"),
        x=alt.X(f"{share}:Q", title=None, axis=alt.Axis(format="%")),
        color=alt.Color(f"{series}:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[
            alt.Tooltip(f"{group}:N", title=" "),
            alt.Tooltip(f"{series}:N", title=" "),
            alt.Tooltip(f"{share}:Q", format=".1%"),
        ],
    )
    layers = [chart]
    if reference is not None:
        value, label = reference
        rule = (
            alt.Chart(alt.Data(values=[{"value": value, "label": label}]))
            .mark_rule(color="#000000", strokeDash=[4, 3])
            .encode(x="value:Q", tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("value:Q", format=".1%")])
        )
        layers.append(rule)
    groups = len({row[group] for row in rows})
    return _finish(alt.layer(*layers).properties(width=WIDTH, height=max(60, 22 * groups)), title)


def prefecture_tiles(values: dict[str, int], *, title: str, value_title: str) -> dict:
    """A tile grid of the 47 prefectures, shaded by ``values`` (prefecture code -> count)."""
    rows = [
        {"code": code, "name": str(Prefecture(code).label), "col": col, "row": row, "value": values.get(code, 0)}
        for code, (col, row) in PREFECTURE_TILES.items()
    ]
    base = alt.Chart(alt.Data(values=rows)).encode(x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None))
    tiles = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("value:Q", title=value_title, scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("name:N", title=" "), alt.Tooltip("value:Q", title=value_title, format=",")],
    )
    text = base.mark_text(fontSize=8).encode(
        text="code:N", color=alt.condition("datum.value > 0", alt.value("black"), alt.value("#888888"))
    )
    return _finish(alt.layer(tiles, text).properties(width=360, height=330), title)
