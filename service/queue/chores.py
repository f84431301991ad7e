"""The queue's periodic chores (deferred once a tick, whatever the number of workers):
the daily reminders of cases and duties, and the nightly backup."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from service.config import ServiceConfig
from service.jobs import resources

log = logging.getLogger("baoxue.queue")
BEIJING = timedelta(hours=8)  # the reminders' day is the clerks' day
KEEP_DUMPS = 7  # nightly database dumps kept in the backup folder


def daily_reminders(config: ServiceConfig, timestamp: int) -> dict[str, Any]:
    from service.ops.cases import site_holidays
    from service.ops.reminders import store_day

    day = (datetime.fromtimestamp(timestamp, UTC) + BEIJING).date()
    database, _ = resources(config)
    with database.session() as db:
        added = store_day(db, day, site_holidays(config.data_dir))
    log.info("reminders of %s: %s places", day, added)
    return {"day": day.isoformat(), "places": added}


def nightly_backup(config: ServiceConfig, timestamp: int) -> dict[str, Any]:
    """`baoxue backup` into `config.backup_dir` (run by workers given one), one database
    dump a night, the last KEEP_DUMPS kept; the files are copied once."""
    assert config.backup_dir is not None
    from service.operate import backup

    day = (datetime.fromtimestamp(timestamp, UTC) + BEIJING).date()
    result = backup(config, config.backup_dir, stamp=f"-{day.isoformat()}")
    for old in sorted(config.backup_dir.glob("baoxue-*.pgdump"))[:-KEEP_DUMPS]:
        old.unlink()
    log.info("backup of %s: %s", day, result)
    return result
