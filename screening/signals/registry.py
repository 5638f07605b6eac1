"""The signals a service runs, in order."""

from __future__ import annotations

from screening.settings import Settings
from screening.text.signal import text_signal
from screening.types import Signal


def default_signals(settings: Settings) -> list[Signal]:
    """Text first, then images; models load here, once per process."""
    signals: list[Signal] = [text_signal(settings)]
    return signals
