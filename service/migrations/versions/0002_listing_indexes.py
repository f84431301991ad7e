"""indexes for the school page's listings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:50:00

The school page looks up the audits of the packages it lists and counts the open findings;
without these indexes SQLite scanned every audit row (each holding its JSON report) and
sorted every finding, so the page slowed with every upload (benchmarks/service_load.py).
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audits_package_id", "audits", ["package_id"])
    op.create_index("ix_findings_school_status", "findings", ["school_id", "status"])
    op.create_index("ix_findings_audit_id", "findings", ["audit_id"])


def downgrade() -> None:
    op.drop_index("ix_findings_audit_id", table_name="findings")
    op.drop_index("ix_findings_school_status", table_name="findings")
    op.drop_index("ix_audits_package_id", table_name="audits")
