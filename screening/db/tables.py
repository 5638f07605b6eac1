"""SQLAlchemy 2 typed tables. Every schema change goes through an Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class BrandRow(Base):
    __tablename__ = "brands"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    product_lines: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[str | None] = mapped_column(String(100))
    price_floor_amount: Mapped[float | None] = mapped_column(Float)
    price_floor_currency: Mapped[str | None] = mapped_column(String(3))
    authorized_sellers: Mapped[list[str]] = mapped_column(JSON, default=list)
    review_threshold: Mapped[float | None] = mapped_column(Float)
    block_threshold: Mapped[float | None] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    marks: Mapped[list[MarkRow]] = relationship(back_populates="brand", cascade="all, delete")


class MarkRow(Base):
    __tablename__ = "marks"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    brand_id: Mapped[str] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str] = mapped_column(String(50))
    filename: Mapped[str | None] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    brand: Mapped[BrandRow] = relationship(back_populates="marks")


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class ApiKeyBrandRow(Base):
    __tablename__ = "api_key_brands"

    key_id: Mapped[str] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True
    )
    brand_id: Mapped[str] = mapped_column(
        ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ScreeningRow(Base):
    """One screening result, stored with its evidence and model version."""

    __tablename__ = "screenings"
    __table_args__ = (UniqueConstraint("listing_id", "content_hash"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    listing_id: Mapped[str] = mapped_column(String(200), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    seller_id: Mapped[str | None] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(10))
    risk: Mapped[float] = mapped_column(Float)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Added by migration 0004: description and kept photos of an automatic block, for its appeal.
    appeal_material: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ScreeningBrandRow(Base):
    """Which brands a stored screening matched, so brand owners can list their listings."""

    __tablename__ = "screening_brands"

    screening_id: Mapped[str] = mapped_column(
        ForeignKey("screenings.id", ondelete="CASCADE"), primary_key=True
    )
    brand_id: Mapped[str] = mapped_column(
        ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[float] = mapped_column(Float)


class ReviewItemRow(Base):
    """One unit of moderator work: a group of listings (or an appeal) decided once."""

    __tablename__ = "review_items"
    __table_args__ = (Index("ix_review_items_queue", "status", "priority"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id", ondelete="CASCADE"))
    listing_id: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    priority: Mapped[float] = mapped_column(Float)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Added by migration 0002 (review queue, issue 5).
    kind: Mapped[str] = mapped_column(String(12), default="screening", server_default="screening")
    group_key: Mapped[str | None] = mapped_column(String(80), index=True)
    brand_id: Mapped[str | None] = mapped_column(String(40))
    seller_id: Mapped[str | None] = mapped_column(String(200))
    risk: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    factors: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime | None] = mapped_column()
    required_reviews: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    excluded_moderator: Mapped[str | None] = mapped_column(String(40))
    origin_item_id: Mapped[str | None] = mapped_column(String(40), index=True)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ReviewMemberRow(Base):
    """A listing inside a review item; a decision applies to every member."""

    __tablename__ = "review_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"), index=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id", ondelete="CASCADE"))
    listing_id: Mapped[str] = mapped_column(String(200), index=True)
    seller_id: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    title_key: Mapped[str | None] = mapped_column(String(80))
    images: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewDecisionRow(Base):
    """Each moderator's decision on an item (two on double-reviewed items)."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ReviewLabelRow(Base):
    """A labelled sample for calibration and training: one per decision and listing."""

    __tablename__ = "review_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(40), index=True)
    screening_id: Mapped[str] = mapped_column(String(40))
    listing_id: Mapped[str] = mapped_column(String(200))
    brand_id: Mapped[str | None] = mapped_column(String(40), index=True)
    seller_id: Mapped[str | None] = mapped_column(String(200))
    moderator_id: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(30))
    label: Mapped[int | None] = mapped_column(Integer)
    risk: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(200))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewEventRow(Base):
    """Append-only audit log of everything that happens to review items (guarded by triggers)."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"))
    actor: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(20), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsoleSessionRow(Base):
    """A moderator console sign-in; the cookie holds the token, the table only its hash."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(40), index=True)
    role: Mapped[str] = mapped_column(String(20))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class IndexVectorRow(Base):
    """A vector of the brand-similarity index. The database is the truth; FAISS is derived."""

    __tablename__ = "index_vectors"
    __table_args__ = (Index("ix_index_vectors_space", "space", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    space: Mapped[str] = mapped_column(String(40))
    brand_id: Mapped[str] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    mark_id: Mapped[str | None] = mapped_column(
        ForeignKey("marks.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(500))
    model_version: Mapped[str] = mapped_column(String(100))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
