"""The program's eligibility rules, as the officer sees them while screening.

`eligibility_checks(application)` returns one `EligibilityCheck` per rule — passed or not, with a
sentence saying why — so the screening page can show the whole list and the `send_to_review`
transition can require that every one passes.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spaces.geography import DIVISION_OF

from .models import OPEN_STATES, Application, Program
from .money import pkr
from .sections import _one_to_one, required_documents


@dataclass(frozen=True)
class EligibilityCheck:
    code: str
    label: str
    passed: bool
    detail: str

    def __iter__(self):  # unpacks as (check, passed, detail)
        return iter((self.label, self.passed, self.detail))


def application_spaces(application: Application) -> list:
    """The space of a grant or loan, or the enrolled spaces of a utility enrolment."""
    if application.instrument == Program.Instrument.UTILITY_SUBSIDY:
        return [connection.space for connection in application.connections.all()]
    return [application.space] if application.space_id else []


def _operator_verified(application):
    operator = application.operator
    if operator.is_verified:
        return True, _("%(operator)s is registered and verified.") % {"operator": operator}
    return False, _("%(operator)s is not verified yet (%(status)s).") % {
        "operator": operator,
        "status": operator.get_verification_status_display(),
    }


def _spaces_in_punjab(application):
    spaces = application_spaces(application)
    if not spaces:
        return False, _("No space is named on the application.")
    outside = [space for space in spaces if DIVISION_OF.get(space.district) != space.division or not space.district]
    if outside:
        return False, _("Not in a known Punjab district: %(spaces)s.") % {"spaces": ", ".join(s.code for s in outside)}
    return True, ", ".join(f"{s.code} ({s.get_district_display()})" for s in spaces)


def _amount_within_limits(application):
    program = application.call.program
    amount = application.amount_requested
    if application.instrument == Program.Instrument.SOFT_LOAN:
        details = _one_to_one(application, "loan_details")
        if details is None:
            return False, _("No loan amount has been given.")
        amount = details.amount
    if amount <= 0 and application.instrument != Program.Instrument.UTILITY_SUBSIDY:
        return False, _("No amount has been asked for.")
    if not (program.min_amount <= amount <= program.max_amount):
        return False, _("%(amount)s is outside the program's limits, %(min)s to %(max)s.") % {
            "amount": pkr(amount),
            "min": pkr(program.min_amount),
            "max": pkr(program.max_amount),
        }
    return True, _("%(amount)s is within %(min)s to %(max)s.") % {
        "amount": pkr(amount),
        "min": pkr(program.min_amount),
        "max": pkr(program.max_amount),
    }


def _documents_present(application):
    present = {doc.document_type for doc in application.documents.all()}
    missing = [doc.label for doc in required_documents(application) if doc.value not in present]
    if missing:
        return False, _("Missing: %(documents)s.") % {"documents": "; ".join(str(m) for m in missing)}
    return True, _("All required documents are uploaded.")


def _one_open_application(application):
    spaces = application_spaces(application)
    if not spaces:
        return False, _("No space is named on the application.")
    space_ids = [s.pk for s in spaces]
    others = (
        Application.objects.filter(call__program_id=application.call.program_id, state__in=OPEN_STATES)
        .exclude(pk=application.pk)
        .filter(models_q_for_spaces(space_ids))
        .values_list("reference", flat=True)
        .distinct()
    )
    others = sorted(others)
    if others:
        return False, _("Other open applications to this program for the same space: %(refs)s.") % {
            "refs": ", ".join(others)
        }
    return True, _("No other open application to this program for the same space.")


def _certificate_held(application):
    """One window: the certificate the program requires, read from the department's record."""
    from onewindow.selectors.requests import valid_certificate

    service = application.call.program.required_certificate
    if service is None:
        return True, _("This program requires no other department's certificate.")
    certificate = valid_certificate(operator=application.operator, service_code=service.code)
    if certificate is None:
        return False, _("%(operator)s holds no valid %(service)s issued through the one window.") % {
            "operator": application.operator,
            "service": service.name,
        }
    return True, _("%(service)s number %(number)s, issued %(issued)s%(until)s.") % {
        "service": service.name,
        "number": certificate.number,
        "issued": certificate.issued_on.isoformat(),
        "until": (_(", valid until %(date)s") % {"date": certificate.valid_until.isoformat()})
        if certificate.valid_until
        else "",
    }


def models_q_for_spaces(space_ids):
    return Q(space_id__in=space_ids) | Q(connections__space_id__in=space_ids)


CHECKS = [
    ("operator_verified", _operator_verified, gettext_lazy("Registered and verified operator")),
    ("space_in_punjab", _spaces_in_punjab, gettext_lazy("Space in a Punjab district")),
    ("amount_within_limits", _amount_within_limits, gettext_lazy("Amount within the program's limits")),
    ("documents_present", _documents_present, gettext_lazy("Required documents present")),
    ("one_open_application", _one_open_application, gettext_lazy("One open application per space and program")),
    ("certificate_held", _certificate_held, gettext_lazy("Other departments' certificate the program requires")),
]


def eligibility_checks(application: Application) -> list[EligibilityCheck]:
    """Every eligibility rule for this application, in a fixed order, passed or not, with why."""
    results = []
    for code, check, label in CHECKS:
        passed, detail = check(application)
        results.append(EligibilityCheck(code=code, label=str(label), passed=passed, detail=str(detail)))
    return results
