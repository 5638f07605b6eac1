"""The signals a service runs, in order."""

from __future__ import annotations

from screening.settings import Settings
from screening.signals.keyword import KeywordSignal
from screening.types import Signal


def default_signals(settings: Settings) -> list[Signal]:
    """Text first, then images; models load here, once per process."""
    signals: list[Signal] = [KeywordSignal()]
    return signals
