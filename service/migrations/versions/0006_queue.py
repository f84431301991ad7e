"""the job queue on PostgreSQL; the daily reminders (issue 24)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 20:00:00

- on PostgreSQL, procrastinate's schema (its jobs, workers and their heartbeats, periodic
  defers), from the installed package's `schema.sql`: a later procrastinate release that
  changes its schema comes with a migration of ours applying its `sql/migrations` files;
- jobs.worker: the process (host and pid, or a queue worker's name) of a job's latest run;
- reminders: what the daily reminder task found due and overdue at each place (a school, a
  township, the bureau), once a day and place.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DROP_PROCRASTINATE = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables
           WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate\\_%' LOOP
    EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident(r.tablename) || ' CASCADE';
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
    EXECUTE 'DROP FUNCTION IF EXISTS ' || r.f || ' CASCADE';
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
             AND t.typtype IN ('e', 'c') LOOP  -- enums; composites (tables are gone)
    EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(r.typname) || ' CASCADE';
  END LOOP;
END $$;
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # psycopg runs a script of several statements when given no parameters
        bind.connection.driver_connection.execute(SchemaManager.get_schema())  # type: ignore[union-attr]
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker", sa.String(length=100), nullable=True))
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("place_key", sa.String(length=60), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("township_id", sa.Integer(), nullable=True),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "place_key", name="uq_reminders_day_place"),
    )
    op.create_index("ix_reminders_day", "reminders", ["day"])


def downgrade() -> None:
    op.drop_index("ix_reminders_day", table_name="reminders")
    op.drop_table("reminders")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("worker")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.connection.driver_connection.execute(DROP_PROCRASTINATE)  # type: ignore[union-attr]
