"""The application task list: per instrument, the sections an operator fills in, the documents the
program requires, each section's status, and what is still missing before submitting.

One place says it, so the portal's task list, the submit refusal and the `submit` transition's
condition can never disagree. The functions read related rows through `.all()`, so a queryset that
prefetches them (grants.selectors.APPLICATION_SECTION_PREFETCH) costs no extra queries.
"""

from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .documents import DocumentType
from .models import Application, Program
from .money import pkr

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETE = "complete"
STATUS_LABELS = {
    NOT_STARTED: gettext_lazy("Not started"),
    IN_PROGRESS: gettext_lazy("In progress"),
    COMPLETE: gettext_lazy("Complete"),
}


@dataclass(frozen=True)
class Section:
    code: str
    title: str


I = Program.Instrument  # noqa: E741 — short alias for the table below
SECTIONS: dict[str, list[Section]] = {
    I.GRANT: [
        Section("grant_details", gettext_lazy("Grant: purpose and amounts")),
        Section("budget", gettext_lazy("Project budget")),
        Section("milestones", gettext_lazy("Milestones and tranches")),
        Section("documents", gettext_lazy("Documents")),
    ],
    I.SOFT_LOAN: [
        Section("loan_details", gettext_lazy("Loan: amount, tenure and purpose")),
        Section("documents", gettext_lazy("Documents")),
    ],
    I.UTILITY_SUBSIDY: [
        Section("connections", gettext_lazy("Spaces and electricity connections")),
        Section("documents", gettext_lazy("Documents")),
    ],
}


@dataclass
class SectionStatus:
    code: str
    title: str
    status: str
    missing: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_complete(self) -> bool:
        return self.status == COMPLETE


def _one_to_one(application: Application, name: str):
    try:
        return getattr(application, name)
    except Exception:  # RelatedObjectDoesNotExist: the section has not been saved yet
        return None


def required_documents(application: Application) -> list[DocumentType]:
    return [
        DocumentType(code) for code in application.call.program.required_documents or [] if code in DocumentType.values
    ]


def own_contribution_needed(pct: Decimal, financed: Decimal) -> Decimal:
    """The least own contribution when it must be pct% of the project (financed + contribution):
    financed × pct / (100 − pct), rounded up to the paisa. Used for grants and loan equity."""
    if pct <= 0:
        return Decimal("0")
    if pct >= 100:
        return Decimal("Infinity")
    needed = financed * pct / (Decimal(100) - pct)
    return needed.quantize(Decimal("0.01"), rounding=ROUND_UP)


def _amount_limits(application: Application, amount: Decimal) -> list[str]:
    program = application.call.program
    if amount < program.min_amount:
        return [_("The amount is below the program's smallest, %(min)s.") % {"min": pkr(program.min_amount)}]
    if amount > program.max_amount:
        return [_("The amount is above the program's largest, %(max)s.") % {"max": pkr(program.max_amount)}]
    return []


def _grant_details(application: Application) -> tuple[str, list[str]]:
    details = _one_to_one(application, "grant_details")
    if details is None:
        return NOT_STARTED, [_("Say what the grant pays for and how much you ask for.")]
    missing = []
    if not details.purpose.strip():
        missing.append(_("Say what the grant pays for."))
    if application.amount_requested <= 0:
        missing.append(_("Enter the grant amount you ask for."))
    else:
        missing += _amount_limits(application, application.amount_requested)
        needed = own_contribution_needed(
            application.call.program.own_contribution_percent, application.amount_requested
        )
        if details.own_contribution < needed:
            missing.append(_("Your own contribution must be at least %(needed)s.") % {"needed": pkr(needed)})
    return (COMPLETE if not missing else IN_PROGRESS), missing


def _budget(application: Application) -> tuple[str, list[str]]:
    lines = list(application.budget_lines.all())
    if not lines:
        return NOT_STARTED, [_("Add the lines of your project budget.")]
    details = _one_to_one(application, "grant_details")
    total = sum((line.amount for line in lines), Decimal("0"))
    if details is None:
        return IN_PROGRESS, [_("Fill in the grant amounts first, so the budget can be checked against them.")]
    project = application.amount_requested + details.own_contribution
    if total != project:
        return IN_PROGRESS, [
            _("The budget lines add up to %(total)s but the project costs %(project)s (grant plus own contribution).")
            % {"total": pkr(total), "project": pkr(project)}
        ]
    return COMPLETE, []


def _milestones(application: Application) -> tuple[str, list[str]]:
    milestones = list(application.milestones.all())
    if not milestones:
        return NOT_STARTED, [_("Add at least one milestone with its tranche and due date.")]
    total = sum((m.amount for m in milestones), Decimal("0"))
    if total != application.amount_requested:
        return IN_PROGRESS, [
            _("The tranches add up to %(total)s but the grant asked for is %(grant)s.")
            % {"total": pkr(total), "grant": pkr(application.amount_requested)}
        ]
    return COMPLETE, []


def _loan_details(application: Application) -> tuple[str, list[str]]:
    details = _one_to_one(application, "loan_details")
    if details is None:
        return NOT_STARTED, [_("Fill in the loan amount, tenure and purpose.")]
    missing = _amount_limits(application, details.amount)
    if not details.purpose.strip():
        missing.append(_("Say what the loan pays for."))
    return (COMPLETE if not missing else IN_PROGRESS), missing


def _connections(application: Application) -> tuple[str, list[str]]:
    if not list(application.connections.all()):
        return NOT_STARTED, [_("Add at least one space with its electricity connection.")]
    missing = _amount_limits(application, application.amount_requested)
    return (COMPLETE if not missing else IN_PROGRESS), missing


def _documents(application: Application) -> tuple[str, list[str]]:
    required = required_documents(application)
    present = {doc.document_type for doc in application.documents.all()}
    missing = [_("Upload: %(document)s.") % {"document": doc.label} for doc in required if doc.value not in present]
    if not missing:
        return COMPLETE, []
    if len(missing) == len(required):
        return NOT_STARTED, missing
    return IN_PROGRESS, missing


_EVALUATORS = {
    "grant_details": _grant_details,
    "budget": _budget,
    "milestones": _milestones,
    "loan_details": _loan_details,
    "connections": _connections,
    "documents": _documents,
}


def section_statuses(application: Application) -> list[SectionStatus]:
    """Each section of this application's task list, in order, with its status and what is missing."""
    result = []
    for section in SECTIONS[application.instrument]:
        status, missing = _EVALUATORS[section.code](application)
        result.append(SectionStatus(section.code, str(section.title), status, missing))
    return result


def missing_for_submit(application: Application) -> list[str]:
    """Everything that stops submission, as sentences for the operator; empty when ready."""
    return [item for status in section_statuses(application) for item in status.missing]
