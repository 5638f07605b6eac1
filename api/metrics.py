"""Prometheus metrics beyond the per-route HTTP ones."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

SCREENINGS = Counter(
    "screening_results_total", "Screening results by decision", ["decision"]
)
INDEX_VECTORS = Gauge("screening_index_vectors", "Vectors in each index space", ["space"])
READY = Gauge("screening_ready", "1 once models and indexes are loaded")


def record_decision(decision: str) -> None:
    SCREENINGS.labels(decision).inc()
