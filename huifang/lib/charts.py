"""Line charts drawn as SVG by the template: only the geometry is computed here.

No JavaScript and nothing fetched: the page works on an intranet and prints.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 12, 28
# Distinct for the common kinds of colour blindness (Okabe-Ito).
PALETTE = ("#555555", "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9")


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    points: str  # the polyline's "x,y x,y …"


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def step_chart(series: Sequence[tuple[str, Sequence[tuple[date, Decimal]]]]) -> Chart | None:
    """Amounts over time, one step line per series (the value holds until the next date)."""
    dates = [d for _, points in series for d, _ in points]
    values = [v for _, points in series for _, v in points]
    if len(dates) < 2:
        return None
    start, end = min(dates).toordinal(), max(dates).toordinal()
    top_value = float(max(values)) or 1.0
    span_x = max(end - start, 1)

    def x(d: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (d.toordinal() - start) / span_x, 1)

    def y(v: Decimal) -> float:
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * float(v) / top_value, 1)

    lines = []
    for index, (label, points) in enumerate(series):
        coords: list[str] = []
        previous = None
        for d, v in sorted(points):
            if previous is not None:
                coords.append(f"{x(d)},{y(previous)}")
            coords.append(f"{x(d)},{y(v)}")
            previous = v
        lines.append(Line(label, PALETTE[index % len(PALETTE)], " ".join(coords)))
    first_year, last_year = min(dates).year, max(dates).year
    step = max(1, (last_year - first_year + 1) // 8)
    x_ticks = [
        Tick(x(date(year, 1, 1)), str(year))
        for year in range(first_year + 1, last_year + 1, step)
        if start <= date(year, 1, 1).toordinal() <= end
    ]
    y_ticks = [
        Tick(y(Decimal(str(top_value * k / 4))), _amount(top_value * k / 4)) for k in range(5)
    ]
    return Chart(WIDTH, HEIGHT, lines, x_ticks, y_ticks)


def _amount(value: float) -> str:
    """Axis labels: 万 (ten thousand) for large amounts, as Chinese finance writes them."""
    if value >= 10000:
        return _("%(amount)s万") % {"amount": f"{value / 10000:,.1f}"}
    return f"{value:,.0f}"
