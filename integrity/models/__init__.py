from .officials import Association, AssociationMembership, Department, Official, VisitPurpose
from .visits import InspectionVisit, VisitNotice, VisitSequence

__all__ = [
    "Association",
    "AssociationMembership",
    "Department",
    "InspectionVisit",
    "Official",
    "VisitNotice",
    "VisitPurpose",
    "VisitSequence",
]
