"""The school's folder (迎检资料): every file of an evidence package under the checklist item it
proves, as one printable PDF (cover, 目录, bookmarks, page numbers, a divider — or a “缺” page —
per requirement) and as a zip in the checklist's folder tree. See build.py for the steps."""

from audit.binder.build import STEP_NAMES, BinderResult, Progress, make_binder
from audit.binder.model import BinderError

__all__ = ["STEP_NAMES", "BinderError", "BinderResult", "Progress", "make_binder"]
