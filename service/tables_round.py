"""The supervision round's tables (issue 21; migration 0005): rounds, their visits (planned by
the cadences, then recorded), 整改意见 and the evidence uploaded for them. Visits and
rectifications carry `school_id`, so service/scope.py filters them like every school-owned row."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.tables import Base, utcnow


class SupervisionRound(Base):
    """A round the bureau plans: its checklist, dates, the cadences it put on the plan, and
    the school-age roster (摸排名单) its rates are counted from."""

    __tablename__ = "supervision_rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    checklist_id: Mapped[str] = mapped_column(String(100))
    profile_id: Mapped[str] = mapped_column(String(50))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(100), default="")  # the 通报's 文号
    cadences: Mapped[list[str]] = mapped_column(JSON)
    roster_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    roster_name: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoundVisit(Base):
    """One visit of a round: planned (school, cadence, inspector, dates), then recorded — the
    audit it rests on, the 督导情况记录 by item, observations — or a 回访 of a rectification."""

    __tablename__ = "round_visits"
    __table_args__ = (Index("ix_round_visits_round_school", "round_id", "school_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("supervision_rounds.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    cadence: Mapped[str] = mapped_column(String(50))  # cadence id, or "revisit"
    cadence_name: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(100))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    inspector_name: Mapped[str | None] = mapped_column(String(100))
    planned_on: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20), default="visit")  # visit | revisit
    # a 回访: the rectification it follows up (no foreign key: rectifications point here)
    rectification_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned | done
    visited_on: Mapped[date | None] = mapped_column(Date)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id", ondelete="SET NULL"))
    notes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # item id → 督导情况记录
    observations: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    done_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RectificationRow(Base):
    """整改意见 of a visit: open → submitted (evidence uploaded) → closed (accepted)."""

    __tablename__ = "rectifications"
    __table_args__ = (Index("ix_rectifications_school_status", "school_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("round_visits.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("supervision_rounds.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(20), default="major")
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RectificationEvidence(Base):
    __tablename__ = "rectification_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(
        ForeignKey("rectifications.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
