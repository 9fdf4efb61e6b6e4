"""Detection benchmark: quality beside libinjection, throughput, request overhead, latency.

    FORTRESA_PROFILE=test .venv/bin/python -m bench.detect.run [--quick]

Prints figures measured side by side in one run; asserts nothing. libinjection
(``pip install libinjection-python``) is an optional baseline: without it the bench
prints our figures alone.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("FORTRESA_PROFILE", "test")

from tests.detection.corpus import benign_inputs, sqlmap_attacks  # noqa: E402

from fortresa.detection.rules import classify  # noqa: E402
from fortresa.detection.rules.classifier import clear_cache  # noqa: E402


def _libinjection() -> Callable[[str], bool] | None:
    try:
        import libinjection  # type: ignore[import-not-found]
    except ImportError:
        return None

    def detect(text: str) -> bool:
        return bool(libinjection.is_sql_injection(text)["is_sqli"]) or bool(
            libinjection.is_xss(text)["is_xss"]
        )

    return detect


def quality(attacks: list[str], benign: list[str]) -> None:
    detectors: list[tuple[str, Callable[[str], bool]]] = [
        ("fortresa", lambda text: classify(text).is_attack)
    ]
    baseline = _libinjection()
    if baseline is not None:
        detectors.append(("libinjection", baseline))
    print(f"corpus: {len(attacks)} sqlmap attacks, {len(benign)} benign inputs")
    print(f"{'detector':<14}{'detection':>12}{'false pos.':>12}{'inputs/s':>12}")
    for name, detect in detectors:
        clear_cache()
        start = time.perf_counter()
        caught = sum(1 for text in attacks if detect(text))
        flagged = sum(1 for text in benign if detect(text))
        rate = (len(attacks) + len(benign)) / (time.perf_counter() - start)
        print(
            f"{name:<14}{100 * caught / len(attacks):>11.2f}%"
            f"{100 * flagged / len(benign):>11.3f}%{rate:>12.0f}"
        )
    if baseline is None:
        print("libinjection: not installed (pip install libinjection-python for the baseline)")


def _rate(items: list[str]) -> tuple[float, float]:
    """Inputs per second of wall-clock time and per second of this process's CPU time.

    The CPU-time figure is the throughput of one core: on a shared machine the wall
    clock also counts the time other processes held the core.
    """
    clear_cache()
    wall, cpu = time.perf_counter(), time.process_time()
    for text in items:
        classify(text)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return len(items) / wall, len(items) / max(cpu, 1e-9)


def throughput(attacks: list[str], benign: list[str]) -> None:
    # Real traffic is overwhelmingly benign: one attack per hundred values.
    mixed = benign + attacks[: max(1, len(benign) // 100)]
    for name, items in (("1% attacks", mixed), ("benign only", benign), ("attacks only", attacks)):
        rounds = [_rate(items) for _ in range(3)]
        wall = max(rate for rate, _ in rounds)
        cpu = max(rate for _, rate in rounds)
        print(
            f"throughput, {name} (one core, best of 3, verdict cache cleared): "
            f"{cpu:,.0f} inputs per CPU second, {wall:,.0f} inputs per wall-clock second"
        )


def request_overhead(rounds: int) -> None:
    import django

    django.setup()
    from django.http import HttpResponse
    from django.test import RequestFactory

    from fortresa.detection.sensors.http import DetectionMiddleware, inspect_request

    factory = RequestFactory()
    request = factory.post(
        "/c/demo/book/?court=2&start=2026-06-01T18:00",
        {
            "note": "Doubles with Anna & Björn (bring balls)",
            "partners": ["12", "14"],
            "guest_names": "Siobhán O'Connor",
            "csrfmiddlewaretoken": "x" * 64,
        },
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
        HTTP_REFERER="https://localhost:8443/c/demo/day/2026-06-01/",
    )
    request.COOKIES = {"__Host-sessionid": "a" * 32, "__Host-csrftoken": "b" * 64}
    response = HttpResponse(b"ok")
    middleware = DetectionMiddleware(lambda request: response)
    steps = (
        ("sensor", inspect_request),
        # The whole middleware around a view that does nothing: the sensor, the SQL
        # sensor's execute wrapper and the denial check.
        ("middleware", middleware),
    )
    for (what, step), (label, cold) in itertools.product(
        steps, (("cold cache", True), ("warm cache", False))
    ):
        samples: list[float] = []
        cpu_samples: list[float] = []
        for _ in range(rounds):
            if cold:
                clear_cache()
            start, cpu = time.perf_counter(), time.thread_time()
            step(request)
            cpu_samples.append(time.thread_time() - cpu)
            samples.append(time.perf_counter() - start)
        for clock, values in (("wall clock", samples), ("CPU time", cpu_samples)):
            values.sort()
            p50 = values[len(values) // 2] * 1e6
            p99 = values[int(len(values) * 0.99)] * 1e6
            print(
                f"HTTP {what} per booking POST ({label}, {clock}): "
                f"p50 {p50:.0f} µs, p99 {p99:.0f} µs"
            )


def delivery_latency(rounds: int) -> None:
    from bench.detect.latency import measure

    samples = measure(rounds)
    samples.sort()
    print(
        f"event -> webhook delivered ({len(samples)} injected requests through the full "
        f"middleware stack, eager task): p50 {statistics.median(samples) * 1000:.1f} ms, "
        f"p99 {samples[int(len(samples) * 0.99) - 1] * 1000:.1f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller corpora and rounds")
    args = parser.parse_args(argv)
    print(f"load average: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    attacks = list(sqlmap_attacks())
    benign = benign_inputs(rounds=30 if args.quick else 90)
    quality(attacks, benign)
    throughput(attacks, benign)
    request_overhead(2000 if args.quick else 20000)
    delivery_latency(20 if args.quick else 100)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
