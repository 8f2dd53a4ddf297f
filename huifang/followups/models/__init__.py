from huifang.followups.models.calendar import CalendarEntry
from huifang.followups.models.planning import PlanningRun
from huifang.followups.models.visits import (
    Absence,
    SubjectRole,
    Visit,
    VisitChannel,
    VisitKind,
    VisitStatus,
)

__all__ = [
    "Absence",
    "CalendarEntry",
    "PlanningRun",
    "SubjectRole",
    "Visit",
    "VisitChannel",
    "VisitKind",
    "VisitStatus",
]
