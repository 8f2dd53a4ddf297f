from huifang.followups.models.calendar import CalendarEntry
from huifang.followups.models.planning import PlanningRun
from huifang.followups.models.policies import FollowupPolicy, PolicyVersion
from huifang.followups.models.records import ContactAttempt, ContactResult, OnlineLink, VisitRecord
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
    "ContactAttempt",
    "ContactResult",
    "FollowupPolicy",
    "OnlineLink",
    "PlanningRun",
    "PolicyVersion",
    "SubjectRole",
    "Visit",
    "VisitChannel",
    "VisitKind",
    "VisitRecord",
    "VisitStatus",
]
