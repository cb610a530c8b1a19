from .grievances import (
    OPEN_STATES,
    Grievance,
    GrievanceEvidence,
    GrievanceMessage,
    GrievanceSequence,
    GrievanceState,
)
from .officials import Association, AssociationMembership, Department, Official, VisitPurpose
from .visits import InspectionVisit, VisitNotice, VisitSequence

__all__ = [
    "OPEN_STATES",
    "Association",
    "AssociationMembership",
    "Department",
    "Grievance",
    "GrievanceEvidence",
    "GrievanceMessage",
    "GrievanceSequence",
    "GrievanceState",
    "InspectionVisit",
    "Official",
    "VisitNotice",
    "VisitPurpose",
    "VisitSequence",
]
