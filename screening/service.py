"""The assembled service: storage, index, signals and screener, loaded once per process."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from screening.db.engine import make_engine, make_sessionmaker
from screening.db.migrate import upgrade
from screening.index.brand_index import BrandIndex
from screening.screen import Screener
from screening.settings import Settings
from screening.signals.base import BrandIndexer, MarkIndexer
from screening.signals.registry import default_signals
from screening.storage import MarkStore
from screening.types import Signal

log = structlog.get_logger(__name__)


@dataclass
class Service:
    """Everything a request needs; `ready` turns true once models and indexes are loaded."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: MarkStore
    index: BrandIndex
    signals: list[Signal] = field(default_factory=list)
    screener: Screener | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    load_error: str | None = None

    @classmethod
    def create(cls, settings: Settings, migrate: bool = True) -> Service:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if migrate:
            upgrade(settings.resolved_database_url)
        engine = make_engine(settings.resolved_database_url)
        sessions = make_sessionmaker(engine)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            store=MarkStore(settings.marks_dir),
            index=BrandIndex(sessions, settings.index_dir),
        )

    def load(self, signals: list[Signal] | None = None) -> None:
        """Load the models (unless given) and open (or rebuild) their index spaces."""
        try:
            signals = signals if signals is not None else default_signals(self.settings)
            for signal in signals:
                if isinstance(signal, BrandIndexer | MarkIndexer):
                    signal.open_index(self.index)
            self.signals = signals
            self.screener = Screener(self.settings, signals)
            self.ready.set()
            log.info("service.ready", model_version=self.screener.model_version,
                     index=self.index.spaces())
        except Exception as exc:
            self.load_error = f"{type(exc).__name__}: {exc}"
            log.exception("service.load_failed")
            raise

    @property
    def brand_indexers(self) -> list[BrandIndexer]:
        return [s for s in self.signals if isinstance(s, BrandIndexer)]

    @property
    def mark_indexers(self) -> list[MarkIndexer]:
        return [s for s in self.signals if isinstance(s, MarkIndexer)]

    def close(self) -> None:
        if self.ready.is_set():
            self.index.save()
        self.engine.dispose()
