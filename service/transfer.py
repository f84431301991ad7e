"""Moving a site from its embedded SQLite database to PostgreSQL (issue 24): every row of
every table copied, in the order of their foreign keys, into a freshly migrated PostgreSQL
database that holds no data yet; the sequences set past the copied ids. The data folder's
`files/` stays where it is (the same files, named by their sha256)."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from service.db import Database, migrate
from service.tables import Base

BATCH = 1000  # rows an INSERT


class TransferError(Exception):
    """The copy cannot be made (message in Chinese, for the command line)."""


def copy_database(source_url: str, target_url: str) -> dict[str, int]:
    """Copy the rows; returns the number copied of each table."""
    if not make_url(target_url).drivername.startswith("postgres"):
        raise TransferError("目标须为 PostgreSQL 数据库（postgresql://…）")
    source, target = Database(source_url), Database(target_url)
    try:
        migrate(source.engine)  # the same schema on both sides
        try:
            migrate(target.engine)
        except OperationalError as exc:
            first = str(exc.orig).strip().splitlines()[0]
            raise TransferError(f"无法连接目标数据库：{first}") from None
        tables = Base.metadata.sorted_tables
        with target.engine.connect() as conn:
            busy = [t.name for t in tables if conn.scalar(select(func.count()).select_from(t))]
        if busy:
            raise TransferError(
                f"目标数据库已有数据（{'、'.join(busy[:5])}），未复制；请用新建的空库"
            )
        counts: dict[str, int] = {}
        with source.engine.connect() as src, target.engine.begin() as dst:
            for table in tables:
                rows = src.execute(select(table)).mappings()
                counts[table.name] = 0
                while chunk := [dict(r) for r in rows.fetchmany(BATCH)]:
                    dst.execute(table.insert(), chunk)
                    counts[table.name] += len(chunk)
                id_column = table.c.get("id")
                if (
                    id_column is not None
                    and id_column.autoincrement is not False
                    and counts[table.name]
                ):
                    dst.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                            f" (SELECT max(id) FROM {table.name}))"
                        )
                    )
        return counts
    finally:
        source.dispose()
        target.dispose()
