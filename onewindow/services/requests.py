"""One-window requests: the operator files with the answers and documents, the department's desk
acts in the system (asks for information, which stops the clock; issues with the certificate; or
refuses with the reason and the rule), and the operator follows every case on one page.

Rules (each refusal says which): the service must be open to the operator's legal form; every
required answer and document must be there, documents through the one upload check (or reused from
one filed before and accepted, not expired); a desk acts only on its own department's requests; an
issued certificate is never changed (a correction is a new certificate superseding it).

Every state change goes through core.workflow.transition with the REQUESTS table; the other writes
that matter (a document, a correction, an escalation) are recorded with core.workflow.record.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from core.calendar import add_working_days, working_days_between
from core.uploads import read_upload
from grants.models import ApplicationDocument
from notifications.services import notify

from .. import messages
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import OneWindowEvent
from ..models import (
    Bundle,
    Certificate,
    RequestDocument,
    RequestMessage,
    RequestSequence,
    RequestState,
    Service,
    ServiceQuestion,
    ServiceRequest,
)
from ..permissions import REQUESTS
from ..selectors.requests import desk_department_id, expiring_certificates, late_requests, reusable_documents

if TYPE_CHECKING:
    from accounts.models import User
    from spaces.models import Operator, Space

S = RequestState
GONE = _("This request no longer exists.")


# --- who is who -------------------------------------------------------------------------------------


def is_operator_member(user: Any, operator: Operator) -> bool:
    return workflow.is_active_person(user) and operator.members.filter(pk=user.pk).exists()


def _members_only(request: ServiceRequest, actor: Any) -> None:
    if not is_operator_member(actor, request.operator):
        raise PermissionDenied(_("Only the operator's own people may do this."))


def _own_department(request: ServiceRequest, actor: Any) -> None:
    if desk_department_id(actor) != request.service.department_id:
        raise PermissionDenied(
            _("Only the desk of %(department)s acts on this request.")
            % {"department": request.service.department.local_name}
        )


def _day(value: dt.date) -> str:
    return date_format(value, "j F Y")


def _tell(recipients: Any, notice: Any, request: ServiceRequest, **extra: Any) -> None:
    due_on = request.due_on
    subject, body = notice.render(
        reference=request.reference,
        service=lambda: request.service.local_name,
        department=lambda: request.service.department.local_name,
        operator=request.operator.legal_name,
        due=(lambda: _day(due_on)) if due_on else "",
        **extra,
    )
    notify(
        recipients=recipients,
        subject=subject,
        body=body,
        url=reverse("onewindow:request_detail", kwargs={"reference": request.reference}),
    )


def _desk_people(request: ServiceRequest) -> list[Any]:
    from accounts.models import User

    return list(
        User.objects.filter(
            is_active=True, groups__name=roles.DEPARTMENT_DESK, official__department=request.service.department_id
        ).distinct()
    )


def _coordinators() -> list[Any]:
    from accounts.models import User

    return list(User.objects.filter(is_active=True, groups__name=roles.ONE_WINDOW_COORDINATOR).distinct())


def _next_reference(year: int) -> str:
    RequestSequence.objects.bulk_create([RequestSequence(year=year)], ignore_conflicts=True)
    sequence = RequestSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"OWR-{year}-{sequence.last:05d}"


def _lock(request: ServiceRequest) -> ServiceRequest:
    return workflow.lock(ServiceRequest, request.pk, gone=GONE)


# --- the operator -----------------------------------------------------------------------------------


def _check_open_to(service: Service, operator: Operator) -> None:
    if not service.is_active:
        raise ValidationFailed(_("%(service)s is not open for requests at present.") % {"service": service.name})
    if service.legal_forms and operator.legal_form not in service.legal_forms:
        raise ValidationFailed(
            _("%(service)s is open only to %(forms)s; %(operator)s is registered as %(form)s.")
            % {
                "service": service.name,
                "forms": ", ".join(str(operator.LegalForm(form).label) for form in service.legal_forms),
                "operator": operator.legal_name,
                "form": operator.get_legal_form_display(),
            }
        )


def request_draft(*, actor: User, service: Service, operator: Operator, space: Space | None = None) -> ServiceRequest:
    """Start a request (a draft only its operator sees). Refused when the service is closed or not open
    to the operator's legal form, or the space is not the operator's."""
    if not is_operator_member(actor, operator):
        raise PermissionDenied(_("Only the operator's own people may ask for a service."))
    _check_open_to(service, operator)
    if space is not None and space.operator_id != operator.pk:
        raise ValidationFailed(field_errors={"space": [_("Choose one of your own spaces.")]})
    now = timezone.now()
    with transaction.atomic():
        request = ServiceRequest.objects.create(
            reference=_next_reference(timezone.localdate().year),
            service=service,
            operator=operator,
            space=space,
            filed_by=actor,
            created_at=now,
        )
        workflow.record(actor=actor, event=OneWindowEvent.REQUEST_DRAFTED, obj=request, to_state=request.state, at=now)
    return request


def request_bundle(
    *, actor: User, bundle: Bundle, operator: Operator, space: Space | None = None
) -> list[ServiceRequest]:
    """One draft per service of the bundle ("open a new space"), each its own case with its department.
    Services the operator's legal form may not ask for are skipped and named."""
    drafts = []
    with transaction.atomic():
        for service in bundle.services.filter(is_active=True).order_by("department__name", "name"):
            if service.legal_forms and operator.legal_form not in service.legal_forms:
                continue
            drafts.append(request_draft(actor=actor, service=service, operator=operator, space=space))
    if not drafts:
        raise ValidationFailed(_("None of this bundle's services is open to your company."))
    return drafts


def _clean_answer(question: ServiceQuestion, raw: Any) -> tuple[str, str | None]:
    """(the stored answer, or an error message)."""
    text = " ".join(str(raw if raw is not None else "").split())
    if not text:
        return "", (_("Answer this question.") if question.required else None)
    if question.kind == ServiceQuestion.Kind.NUMBER:
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            return "", _("A number is needed here, not “%(text)s”.") % {"text": text[:40]}
        return str(number), None
    if question.kind == ServiceQuestion.Kind.DATE:
        try:
            return dt.date.fromisoformat(text).isoformat(), None
        except ValueError:
            return "", _("A date is needed here (day, month, year).")
    if question.kind == ServiceQuestion.Kind.YES_NO:
        if text not in ("yes", "no"):
            return "", _("Answer yes or no.")
        return text, None
    if question.kind == ServiceQuestion.Kind.CHOICE:
        values = [value for value, _label in question.options()]
        if text not in values:
            return "", _("Choose one of the options.")
    return text[:2000], None


def request_save_answers(*, actor: User, request: ServiceRequest, answers: dict[str, Any]) -> ServiceRequest:
    """Keep the draft's answers, each checked by the kind of its question; every problem is named by
    its question. Only in a draft."""
    errors: dict[str, list] = {}
    cleaned: dict[str, str] = {}
    for question in request.service.questions.all():
        value, error = _clean_answer(question, answers.get(question.key))
        if error:
            errors[f"q_{question.key}"] = [error]
        elif value:
            cleaned[question.key] = value
    with transaction.atomic():
        request = _lock(request)
        _members_only(request, actor)
        if request.state != S.DRAFT:
            raise InvalidTransition(_("Answers can be changed only while the request is a draft."))
        if errors:
            raise ValidationFailed(field_errors=errors)
        ServiceRequest.objects.filter(pk=request.pk).update(answers=cleaned)
        request.answers = cleaned
    return request


def request_attach(
    *,
    actor: User,
    request: ServiceRequest,
    document_type: str,
    upload: Any = None,
    reuse: str = "",
    valid_until: dt.date | None = None,
) -> RequestDocument:
    """Add a document: a new upload (the one upload check) or one filed before and accepted (`reuse`,
    a key from onewindow.selectors.requests.reusable_documents): the same stored file, with its source."""
    if not upload and not reuse:
        raise ValidationFailed(field_errors={"upload": [_("Choose a file, or one you filed before.")]})
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request)
        _members_only(request, actor)
        if request.state not in (S.DRAFT, S.INFO_REQUESTED):
            raise InvalidTransition(_("Documents can be added to a draft or when the department asks for information."))
        if reuse:
            offered = {item.key: item for item in reusable_documents(request.operator)}
            if reuse not in offered:
                raise ValidationFailed(
                    field_errors={"reuse": [_("That document is not one you may reuse (expired or not yours).")]}
                )
            kind, pk = reuse.split(":", 1)
            source: Any = (ApplicationDocument if kind == "app" else RequestDocument).objects.get(pk=pk)
            document = RequestDocument(
                request=request,
                document_type=source.document_type,
                original_filename=source.original_filename,
                size=source.size,
                sha256=source.sha256,
                content_type=source.content_type,
                valid_until=getattr(source, "valid_until", None),
                reused_from=offered[reuse].source,
                uploaded_by=actor,
                uploaded_at=now,
            )
            document.file.name = source.file.name  # the same stored file: filed once, used again
            document.save()
        else:
            columns = read_upload(upload, "upload")
            document = RequestDocument.objects.create(
                request=request,
                document_type=document_type,
                file=upload,
                valid_until=valid_until,
                uploaded_by=actor,
                uploaded_at=now,
                **columns,
            )
        workflow.record(
            actor=actor,
            event=OneWindowEvent.REQUEST_DOCUMENT_ADDED,
            obj=request,
            data={"document_type": document.document_type, "reused_from": document.reused_from},
            at=now,
        )
    return document


def _missing(request: ServiceRequest, today: dt.date) -> dict[str, list]:
    errors: dict[str, list] = {}
    for question in request.service.questions.all():
        if question.required and not request.answers.get(question.key):
            errors.setdefault(f"q_{question.key}", []).append(
                _("Answer “%(question)s”.") % {"question": question.local_label}
            )
    filed = {}
    for document in request.documents.all():
        if document.valid_until is None or document.valid_until >= today:
            filed[document.document_type] = document
    for needed in request.service.documents.filter(required=True):
        if needed.document_type not in filed:
            errors.setdefault("documents", []).append(
                _("Add the %(document)s.") % {"document": needed.get_document_type_display()}
            )
    return errors


def request_submit(*, actor: User, request: ServiceRequest) -> ServiceRequest:
    """Send the request to the department: every required answer and document must be there. The
    clock starts: due after the service's promised working days."""
    with transaction.atomic():
        request = _lock(request)
        _members_only(request, actor)
        if request.state == S.DRAFT:
            _check_open_to(request.service, request.operator)
            errors = _missing(request, timezone.localdate())
            if errors:
                raise ValidationFailed(field_errors=errors)
        now = timezone.now()
        due = add_working_days(timezone.localdate(), request.service.promised_working_days)
        workflow.transition(
            request,
            workflow.Step("submit", OneWindowEvent.REQUEST_SUBMITTED, kwargs={"at": now, "due_on": due}, at=now),
            actor=actor,
            table=REQUESTS,
            guard=_members_only,
            wrong_state=_("Only a draft can be submitted."),
        )
        _tell(_desk_people(request), messages.REQUEST_SUBMITTED, request)
    return request


def request_withdraw(*, actor: User, request: ServiceRequest, reason: str = "") -> ServiceRequest:
    with transaction.atomic():
        request = _lock(request)
        was_open = request.is_open
        workflow.transition(
            request,
            workflow.Step("withdraw", OneWindowEvent.REQUEST_WITHDRAWN, kwargs={"at": timezone.now()}, reason=reason),
            actor=actor,
            table=REQUESTS,
            guard=_members_only,
            wrong_state=_("A decided request cannot be withdrawn."),
        )
        if was_open:
            _tell(_desk_people(request), messages.REQUEST_WITHDRAWN, request)
    return request


def _text(value: str, field: str, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed(field_errors={field: [message]})
    return text[:5000]


# --- the department's desk --------------------------------------------------------------------------


def request_start(*, actor: User, request: ServiceRequest) -> ServiceRequest:
    with transaction.atomic():
        request = _lock(request)
        workflow.transition(
            request,
            workflow.Step("start", OneWindowEvent.REQUEST_STARTED, kwargs={"by": actor}),
            actor=actor,
            table=REQUESTS,
            guard=_own_department,
            wrong_state=_("Only a submitted request can be taken up."),
        )
    return request


def request_ask(*, actor: User, request: ServiceRequest, question: str) -> ServiceRequest:
    """The desk asks the operator for information; the clock stops until the answer."""
    question = _text(question, "question", _("Write the question: the operator reads it."))
    with transaction.atomic():
        request = _lock(request)
        now = timezone.now()
        workflow.transition(
            request,
            workflow.Step(
                "request_info", OneWindowEvent.REQUEST_INFO_REQUESTED, kwargs={"on": timezone.localdate()}, at=now
            ),
            actor=actor,
            table=REQUESTS,
            guard=_own_department,
            wrong_state=_("Information can be asked for only while the request is in process."),
        )
        RequestMessage.objects.create(
            request=request, kind=RequestMessage.Kind.QUESTION, body=question, written_by=actor, written_at=now
        )
        _tell(request.operator.members.all(), messages.REQUEST_INFO_REQUESTED, request, question=question)
    return request


def request_answer(*, actor: User, request: ServiceRequest, answer: str) -> ServiceRequest:
    """The operator answers; the clock starts again, its due date moved by the working days it waited."""
    answer = _text(answer, "answer", _("Write your answer."))
    with transaction.atomic():
        request = _lock(request)
        now = timezone.now()
        today = timezone.localdate()
        waited = working_days_between(request.paused_on, today) if request.paused_on else 0
        due = add_working_days(request.due_on, waited) if request.due_on else None
        workflow.transition(
            request,
            workflow.Step(
                "answer",
                OneWindowEvent.REQUEST_ANSWERED,
                kwargs={"due_on": due},
                data={"waited_working_days": waited},
                at=now,
            ),
            actor=actor,
            table=REQUESTS,
            guard=_members_only,
            wrong_state=_("There is no question waiting for an answer."),
        )
        RequestMessage.objects.create(
            request=request, kind=RequestMessage.Kind.ANSWER, body=answer, written_by=actor, written_at=now
        )
        _tell([request.handled_by] if request.handled_by else _desk_people(request), messages.REQUEST_ANSWERED, request)
    return request


def _certificate_columns(
    pdf: Any, number: str, issued_on: Any, valid_until: Any
) -> tuple[dict[str, Any], dict[str, list]]:
    errors: dict[str, list] = {}
    number = " ".join(str(number or "").split())
    if not number:
        errors["number"] = [_("Give the certificate's or registration's number.")]
    if not isinstance(issued_on, dt.date) or issued_on > timezone.localdate():
        errors["issued_on"] = [_("The date of issue cannot be in the future.")]
    if valid_until is not None and isinstance(issued_on, dt.date) and valid_until < issued_on:
        errors["valid_until"] = [_("A certificate cannot end before it is issued.")]
    columns: dict[str, Any] = {}
    if not pdf:
        errors["pdf"] = [_("Upload the certificate as a PDF.")]
    else:
        try:
            columns = read_upload(pdf, "pdf")
        except ValidationFailed as error:
            errors.update(error.field_errors)
        else:
            if columns["content_type"] != "application/pdf":
                errors["pdf"] = [_("The certificate must be a PDF.")]
    return columns, errors


def request_issue(
    *,
    actor: User,
    request: ServiceRequest,
    number: str,
    issued_on: dt.date,
    pdf: Any,
    valid_until: dt.date | None = None,
) -> Certificate:
    """The desk issues: the certificate's number, dates and PDF; the operator is told and downloads it."""
    columns, errors = _certificate_columns(pdf, number, issued_on, valid_until)
    if errors:
        raise ValidationFailed(field_errors=errors)
    with transaction.atomic():
        request = _lock(request)
        now = timezone.now()
        workflow.transition(
            request,
            workflow.Step("issue", OneWindowEvent.REQUEST_ISSUED, kwargs={"at": now}, data={"number": number}, at=now),
            actor=actor,
            table=REQUESTS,
            guard=_own_department,
            wrong_state=_("Only a request in process can be issued."),
        )
        certificate = Certificate.objects.create(
            request=request,
            number=" ".join(number.split()),
            issued_on=issued_on,
            valid_until=valid_until,
            file=pdf,
            issued_by=actor,
            issued_at=now,
            **columns,
        )
        _tell(request.operator.members.all(), messages.REQUEST_ISSUED, request, number=certificate.number)
    return certificate


def certificate_correct(
    *,
    actor: User,
    certificate: Certificate,
    reason: str,
    number: str,
    issued_on: dt.date,
    pdf: Any,
    valid_until: dt.date | None = None,
) -> Certificate:
    """A correction is a new certificate that supersedes the old one; both are kept, the old one is
    never changed (it is what was issued)."""
    reason = _text(reason, "reason", _("Say what is corrected: the operator reads it."))
    columns, errors = _certificate_columns(pdf, number, issued_on, valid_until)
    if errors:
        raise ValidationFailed(field_errors=errors)
    with transaction.atomic():
        old = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("request", "request__service")
            .get(pk=certificate.pk)
        )
        _own_department(old.request, actor)
        if Certificate.objects.filter(supersedes=old).exists():
            raise InvalidTransition(_("This certificate has been corrected already: correct the newer one."))
        now = timezone.now()
        new = Certificate.objects.create(
            request=old.request,
            number=" ".join(number.split()),
            issued_on=issued_on,
            valid_until=valid_until,
            file=pdf,
            supersedes=old,
            correction_reason=reason,
            issued_by=actor,
            issued_at=now,
            **columns,
        )
        workflow.record(
            actor=actor,
            event=OneWindowEvent.CERTIFICATE_CORRECTED,
            obj=old.request,
            reason=reason,
            data={"old": old.number, "new": new.number},
            at=now,
        )
        _tell(old.request.operator.members.all(), messages.CERTIFICATE_CORRECTED, old.request, number=new.number)
    return new


def request_refuse(*, actor: User, request: ServiceRequest, reason: str, rule: str) -> ServiceRequest:
    """The desk refuses with the reason and the rule (the operator reads both)."""
    errors: dict[str, list] = {}
    reason = " ".join(str(reason or "").split())
    rule = " ".join(str(rule or "").split())
    if not reason:
        errors["reason"] = [_("Say why the request is refused.")]
    if not rule:
        errors["rule"] = [_("Name the rule the request is refused under.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    with transaction.atomic():
        request = _lock(request)
        workflow.transition(
            request,
            workflow.Step(
                "refuse",
                OneWindowEvent.REQUEST_REFUSED,
                kwargs={"at": timezone.now(), "reason": reason, "rule": rule[:250]},
                reason=reason,
            ),
            actor=actor,
            table=REQUESTS,
            guard=_own_department,
            wrong_state=_("Only a submitted request or one in process can be refused."),
        )
        _tell(request.operator.members.all(), messages.REQUEST_REFUSED, request, reason=reason, rule=rule)
    return request


# --- the clocks (integrity of the promise; Celery beat) ---------------------------------------------


def requests_escalate_late(*, today: dt.date | None = None) -> int:
    """Every open request past its due date is escalated once to the one-window coordinators, and its
    operator told of the delay. Idempotent: a request escalated before is not escalated again."""
    today = today or timezone.localdate()
    done = 0
    for pk in late_requests(today).filter(escalated_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            request = (
                ServiceRequest.objects.select_for_update(of=("self",))
                .select_related("service__department", "operator")
                .get(pk=pk)
            )
            if request.escalated_at is not None or request.state not in (S.SUBMITTED, S.IN_PROCESS):
                continue
            if request.due_on is None or request.due_on >= today:
                continue
            now = timezone.now()
            ServiceRequest.objects.filter(pk=pk).update(escalated_at=now)
            days = working_days_between(request.due_on, today)
            workflow.record(
                actor=None,
                event=OneWindowEvent.REQUEST_ESCALATED,
                obj=request,
                data={"late_working_days": days},
                at=now,
            )
            _tell(_coordinators(), messages.REQUEST_LATE_COORDINATOR, request, days=days)
            _tell(request.operator.members.all(), messages.REQUEST_LATE_OPERATOR, request, days=days)
            done += 1
    return done


EXPIRY_REMINDER_DAYS = 30


def certificates_remind_expiry(*, today: dt.date | None = None) -> int:
    """Remind the operator 30 days before a certificate's validity ends, once per certificate."""
    today = today or timezone.localdate()
    done = 0
    for pk in expiring_certificates(today, EXPIRY_REMINDER_DAYS).values_list("pk", flat=True):
        with transaction.atomic():
            certificate = (
                Certificate.objects.select_for_update(of=("self",))
                .select_related("request__service__department", "request__operator")
                .get(pk=pk)
            )
            if certificate.expiry_reminded_at is not None:
                continue
            now = timezone.now()
            Certificate.objects.filter(pk=pk).update(expiry_reminded_at=now)
            workflow.record(
                actor=None,
                event=OneWindowEvent.CERTIFICATE_EXPIRY_REMINDED,
                obj=certificate.request,
                data={"number": certificate.number},
                at=now,
            )
            valid_until = certificate.valid_until
            _tell(
                certificate.request.operator.members.all(),
                messages.CERTIFICATE_EXPIRING,
                certificate.request,
                number=certificate.number,
                until=(lambda day=valid_until: _day(day)) if valid_until else "",
            )
            done += 1
    return done
