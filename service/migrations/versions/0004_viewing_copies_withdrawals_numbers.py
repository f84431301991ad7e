"""viewing copies, withdrawn uploads, document number counters (issue 23)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-20 09:00:00

- documents: the viewing copy (full 身份证号 hidden) rendered for roles without the right to
  them, made when first asked for;
- packages: an upload withdrawn by its school or the bureau (its audits and findings go);
- number_counters: the next document number of a school, year and numbering pattern, so a
  batch never reuses a number an earlier batch printed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("view_pdf_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("view_docx_sha256", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            "fk_documents_view_pdf", "blobs", ["view_pdf_sha256"], ["sha256"]
        )
        batch_op.create_foreign_key(
            "fk_documents_view_docx", "blobs", ["view_docx_sha256"], ["sha256"]
        )
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_packages_withdrawn_by", "users", ["withdrawn_by"], ["id"])
    op.create_table(
        "number_counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.String(length=200), nullable=False),
        sa.Column("next_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("school_id", "year", "pattern"),
    )


def downgrade() -> None:
    op.drop_table("number_counters")
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_constraint("fk_packages_withdrawn_by", type_="foreignkey")
        batch_op.drop_column("withdrawn_by")
        batch_op.drop_column("withdrawn_at")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("fk_documents_view_docx", type_="foreignkey")
        batch_op.drop_constraint("fk_documents_view_pdf", type_="foreignkey")
        batch_op.drop_column("view_docx_sha256")
        batch_op.drop_column("view_pdf_sha256")
