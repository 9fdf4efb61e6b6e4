"""The response-time chart: hourly averages of the HTTPS probe, laid out for an SVG.

Everything is computed here so the template only writes coordinates into SVG
presentation attributes (no script, no inline style).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fortresa.status.models import CheckResult

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 32
HOURS = 24
_NICE = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)


@dataclass(frozen=True)
class Bucket:
    start: datetime
    average_ms: float | None
    x: float
    y: float | None


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class ResponseChart:
    buckets: list[Bucket]
    segments: list[str]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def has_data(self) -> bool:
        return any(bucket.average_ms is not None for bucket in self.buckets)

    @property
    def y_label_x(self) -> int:
        return self.left - 6

    @property
    def x_label_y(self) -> int:
        return self.bottom_edge + 20

    @property
    def points(self) -> list[Bucket]:
        return [bucket for bucket in self.buckets if bucket.y is not None]


def _scale_top(peak: float) -> int:
    return next((nice for nice in _NICE if nice >= peak), int(peak) + 1)


def response_chart(*, now: datetime, probe: str = "https") -> ResponseChart:
    """Hourly average response time of ``probe`` over the 24 hours ending at ``now``."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(hours=HOURS)
    sums = [0.0] * HOURS
    counts = [0] * HOURS
    rows = CheckResult.objects.filter(
        probe=probe, checked_at__gte=start, checked_at__lt=end, response_ms__isnull=False
    ).values_list("checked_at", "response_ms")
    for checked_at, response_ms in rows:
        index = int((checked_at - start).total_seconds() // 3600)
        sums[index] += float(response_ms or 0.0)
        counts[index] += 1
    averages = [sums[i] / counts[i] if counts[i] else None for i in range(HOURS)]
    top_ms = _scale_top(max((a for a in averages if a is not None), default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / HOURS

    def y_of(ms: float) -> float:
        return round(TOP + plot_h * (1 - ms / top_ms), 1)

    buckets = [
        Bucket(
            start=start + timedelta(hours=i),
            average_ms=None if average is None else round(average, 1),
            x=round(LEFT + step * (i + 0.5), 1),
            y=None if average is None else y_of(average),
        )
        for i, average in enumerate(averages)
    ]
    segments: list[str] = []
    current: list[str] = []
    for bucket in buckets:
        if bucket.y is None:
            if current:
                segments.append(" ".join(current))
            current = []
        else:
            current.append(f"{bucket.x},{bucket.y}")
    if current:
        segments.append(" ".join(current))
    y_ticks = [Tick(y_of(top_ms * share / 4), f"{top_ms * share // 4} ms") for share in range(5)]
    x_ticks = [
        Tick(bucket.x, f"{bucket.start:%H:%M}") for i, bucket in enumerate(buckets) if i % 6 == 0
    ]
    return ResponseChart(buckets, segments, y_ticks, x_ticks)
