"""the supervision round (issue 21): rounds, visits, rectifications and their evidence

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 20:00:00

- supervision_rounds: a round the bureau plans (checklist, dates, cadences, 摸排名单);
- round_visits: each visit the cadences put on the plan, then recorded (audit, notes), or a 回访;
- rectifications: 整改意见 with deadlines; rectification_evidence: what the school uploaded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "supervision_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("checklist_id", sa.String(length=100), nullable=False),
        sa.Column("profile_id", sa.String(length=50), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("cadences", sa.JSON(), nullable=False),
        sa.Column("roster_sha256", sa.String(length=64), nullable=True),
        sa.Column("roster_name", sa.String(length=300), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["roster_sha256"], ["blobs.sha256"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "round_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("cadence", sa.String(length=50), nullable=False),
        sa.Column("cadence_name", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("inspector_name", sa.String(length=100), nullable=True),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("rectification_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=True),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("observations", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["supervision_rounds.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.ForeignKeyConstraint(["inspector_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["audit_id"], ["audits.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["done_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_round_visits_school_id", "round_visits", ["school_id"])
    op.create_index("ix_round_visits_round_school", "round_visits", ["round_id", "school_id"])
    op.create_table(
        "rectifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("accepted_by", sa.Integer(), nullable=True),
        sa.Column("accepted_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["round_visits.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["supervision_rounds.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.ForeignKeyConstraint(["accepted_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rectifications_school_id", "rectifications", ["school_id"])
    op.create_index("ix_rectifications_school_status", "rectifications", ["school_id", "status"])
    op.create_table(
        "rectification_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rectification_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["rectification_id"], ["rectifications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.ForeignKeyConstraint(["blob_sha256"], ["blobs.sha256"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_rectification_evidence_rectification_id",
        "rectification_evidence",
        ["rectification_id"],
    )
    op.create_index("ix_rectification_evidence_school_id", "rectification_evidence", ["school_id"])


def downgrade() -> None:
    op.drop_table("rectification_evidence")
    op.drop_table("rectifications")
    op.drop_table("round_visits")
    op.drop_table("supervision_rounds")
