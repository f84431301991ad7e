"""Batch printing job: roster in the file store → the library's batch printer → files back."""

from __future__ import annotations

import importlib.util
from typing import Any

from service.jobs import JobContext, JobFailed


def run_batch_job(ctx: JobContext) -> dict[str, Any]:
    if importlib.util.find_spec("forms.batch") is None:
        raise JobFailed("批量打印模块尚未安装，请联系管理员")
    raise JobFailed("批量打印模块尚未接入")
