"""The signals a service runs, in order."""

from __future__ import annotations

from screening.settings import Settings
from screening.text.signal import text_signal
from screening.types import Signal


def default_signals(settings: Settings) -> list[Signal]:
    """Text first, then images; models load here, once per process."""
    signals: list[Signal] = [text_signal(settings)]
    if settings.load_models:
        from screening.image.signal import ImageSignal

        signals.append(ImageSignal.load(marks_dir=settings.marks_dir))
    return signals
