"""Alembic environment: service/db.py hands over an open connection."""

from __future__ import annotations

from alembic import context

from service.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via service.db.migrate
    raise RuntimeError("run migrations through service.db.migrate")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
