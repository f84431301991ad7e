"""One function per checklist rule over PackageFacts; thresholds come from the checklist's params.

Importing this package registers every rule in RULES (name → RuleSpec).
"""

from audit.rules import deployment, documents, home_teaching, leave, rebound, suspension
from audit.rules.base import RULES, Context, Outcome, Period, RuleSpec

__all__ = [
    "RULES",
    "Context",
    "Outcome",
    "Period",
    "RuleSpec",
    "deployment",
    "documents",
    "home_teaching",
    "leave",
    "rebound",
    "suspension",
]
