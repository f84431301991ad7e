"""`baoxue worker`: a process taking the web service's jobs from the queue (PostgreSQL),
thin over service.queue.worker."""

from __future__ import annotations

from pathlib import Path

import click

from cli_common import EXIT_USAGE, Command, IntegerRange, option
from cli_common import fail as _fail


@click.command("worker", cls=Command)
@option(
    "--data",
    type=click.Path(path_type=Path),
    default=None,
    help="数据目录（默认 ./baoxue-data 或环境变量 BAOXUE_DATA）；其中 files/ 须为网页服务共用的目录",
)
@option("--db", required=True, help="数据库地址（PostgreSQL），如 postgresql://用户@主机/库名")
@option(
    "--concurrency",
    default=1,
    show_default=True,
    type=IntegerRange(1, 64),
    help="本进程同时运行的任务数（多核机器宜多开几个 worker 进程）",
)
@option("--name", default=None, help="进程名，见于日志和队列（默认：主机名-进程号）")
@option(
    "--nice", default=10, show_default=True, type=IntegerRange(0, 19), help="降低优先级，让网页先行"
)
@option(
    "--heartbeat",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="心跳间隔（秒）",
)
@option(
    "--stalled-after",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=1),
    help="某进程这么多秒没有心跳即视为失联，其任务交给其他进程重试",
)
@option(
    "--backup-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="每晚备份数据库和文件到此目录（不写则不备份）",
)
def worker(
    data: Path | None,
    db: str,
    concurrency: int,
    name: str | None,
    nice: int,
    heartbeat: float,
    stalled_after: float,
    backup_dir: Path | None,
) -> None:
    """运行后台任务和定时工作（提醒、备份）。

    从 PostgreSQL 任务队列取批量打印、核查、迎检资料等任务；任何能连到数据库和共享文件目录的
    机器都可运行，可开多个。
    """
    from service.config import ServiceConfig, default_data_dir
    from service.queue.worker import WorkerError, run_worker

    config = ServiceConfig(
        data_dir=(data or default_data_dir()).resolve(),
        db_url=db,
        job_runner="queue",
        queue_heartbeat_seconds=heartbeat,
        queue_stalled_seconds=max(stalled_after, heartbeat * 2),
        backup_dir=backup_dir.resolve() if backup_dir else None,
    )
    click.echo(
        f"保学任务进程：数据库 {config.database_url.split('@')[-1]}；数据目录 {config.data_dir}"
    )
    try:
        run_worker(config, concurrency, name, nice)
    except (WorkerError, ValueError) as exc:
        _fail(str(exc), EXIT_USAGE)


@click.command("copy-db", cls=Command)
@option(
    "--data",
    type=click.Path(path_type=Path),
    default=None,
    help="数据目录（默认 ./baoxue-data 或环境变量 BAOXUE_DATA），其中的 SQLite 数据库被复制",
)
@option(
    "--to",
    "target",
    required=True,
    help="目标 PostgreSQL 数据库（新建的空库），如 postgresql://用户@主机/库名",
)
def copy_db(data: Path | None, target: str) -> None:
    """把内置 SQLite 数据库的全部数据复制到 PostgreSQL。

    用于扩展到多台机器；复制前请停止网页服务。上传文件仍在数据目录的 files/ 中。
    """
    from service.config import ServiceConfig, default_data_dir
    from service.transfer import TransferError, copy_database

    config = ServiceConfig(data_dir=(data or default_data_dir()).resolve())
    if not (config.data_dir / "baoxue.sqlite3").is_file():
        _fail(f"数据目录 {config.data_dir} 中没有 baoxue.sqlite3", EXIT_USAGE)
    try:
        counts = copy_database(config.database_url, target)
    except TransferError as exc:
        _fail(str(exc), EXIT_USAGE)
    click.echo(f"已复制 {sum(counts.values())} 行（{len(counts)} 张表）到 {target.split('@')[-1]}")
