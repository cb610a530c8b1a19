"""Applications: creating one, its documents, and the operator's and program officer's transitions.

The API and its conventions are described in grants/services/__init__.py."""

from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from core.dates import show_datetime
from core.uploads import read_upload
from matches import gates as match_gates
from matches import messages as match_messages
from matches.services.checks import matches_check_application
from notifications.kinds import Kind
from notifications.services import notify
from spaces.models import Operator, Space

from .. import messages
from ..documents import DocumentType
from ..eligibility import eligibility_checks
from ..errors import PermissionDenied, ValidationFailed
from ..events import GrantsEvent
from ..models import (
    Application,
    ApplicationDocument,
    ApplicationSequence,
    Call,
    InformationRequest,
    Program,
    is_active_person,
)
from ..money import pkr_each
from ..sections import missing_for_submit
from ._common import (
    S,
    _guard,
    _lock,
    _open_elsewhere,
    _raise_if,
    _require_editable,
    _tell_officers,
    _tell_operator,
    _text,
    _transition,
    application_url,
    refuse_repeated_upload,
)

if TYPE_CHECKING:
    from accounts.models import User


def _next_reference(program: Program, year: int) -> str:
    """GR-2026-00042: take the next number of the program's counter for the year, under a row lock.

    The counter row is created if missing (ON CONFLICT DO NOTHING on PostgreSQL, so two first
    applications of a year do not collide), then locked; concurrent creators queue on the lock.
    """
    ApplicationSequence.objects.bulk_create([ApplicationSequence(program=program, year=year)], ignore_conflicts=True)
    sequence = ApplicationSequence.objects.select_for_update().get(program=program, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{program.code}-{year}-{sequence.last_number:05d}"


# --- starting an application -----------------------------------------------------------------------


def space_not_in_network(space: Space) -> str | None:
    """Only a space admitted to the network (active) may be named in a new application: a space still
    applying to join, declined, suspended or gone is refused with its status (README, "Space admission")."""
    if space.network_status == Space.NetworkStatus.ACTIVE:
        return None
    return _(
        "%(space)s is not active in the network (it is “%(status)s”): only a space a program officer has "
        "admitted can be named in an application."
    ) % {"space": space.name, "status": space.get_network_status_display()}


def application_create(*, actor: "User", call: Call, operator: Operator, space: Space | None = None) -> Application:
    """Start a draft application to `call` for `operator`.

    Pre: `actor` is an active member of `operator`; the call is open and its program active; for a
    grant or soft loan `space` is one of the operator's spaces, active in the network, with no other
    open application to the same program; for a utility subsidy `space` is None (spaces are named per connection).
    Post: a draft with a fresh reference (program code, year, sequence), an audit event
    `application.create`.
    """
    if not (is_active_person(actor) and operator.members.filter(pk=actor.pk).exists()):
        raise PermissionDenied(_("You can only apply for a company whose staff you are."))
    program = call.program
    if program.instrument == Program.Instrument.SEAT_VOUCHER:
        raise ValidationFailed(
            _("Seat vouchers are asked for by freelancers in a voucher round, not by an operator's application.")
        )
    if not program.is_active or not call.is_open():
        now = timezone.now()
        moment, when = (call.opens_at, _("it opens")) if now < call.opens_at else (call.closes_at, _("it closed"))
        raise ValidationFailed(
            _("The call “%(call)s” is not open for applications (%(when)s %(at)s).")
            % {"call": call.title, "when": when, "at": show_datetime(moment)}
        )
    instrument = program.instrument
    with transaction.atomic():
        if instrument == Program.Instrument.UTILITY_SUBSIDY:
            if space is not None:
                raise ValidationFailed(
                    field_errors={
                        "space": [_("A utility enrolment names its spaces with their electricity connections.")]
                    }
                )
        else:
            if space is None:
                raise ValidationFailed(field_errors={"space": [_("Choose the space this application is for.")]})
            # Lock the space so two drafts for it cannot start at the same moment.
            space = Space.objects.select_for_update().get(pk=space.pk)
            if space.operator_id != operator.pk:
                raise ValidationFailed(
                    field_errors={
                        "space": [_("That space is not one of %(operator)s's spaces.") % {"operator": operator}]
                    }
                )
            refusal = space_not_in_network(space)
            if refusal:
                raise ValidationFailed(field_errors={"space": [refusal]})
            others = _open_elsewhere(program.pk, [space.pk])
            if others:
                raise ValidationFailed(
                    field_errors={
                        "space": [
                            _("%(space)s already has an open application to this program: %(refs)s.")
                            % {"space": space.name, "refs": ", ".join(others)}
                        ]
                    }
                )
        now = timezone.now()
        application = Application.objects.create(
            reference=_next_reference(program, timezone.localdate(now).year),
            call=call,
            instrument=instrument,
            operator=operator,
            space=space,
            created_by=actor,
            created_at=now,
            updated_at=now,
            state_entered_at=now,
        )
        workflow.record(
            actor=actor,
            event=GrantsEvent.APPLICATION_CREATE,
            obj=application,
            to_state=application.state,
            data={"reference": application.reference, "call": call.reference, "space": space.code if space else ""},
            at=now,
        )
    return application


# --- documents -------------------------------------------------------------------------------------


def application_upload_document(
    *, application: Application, actor: "User", document_type: str, file: Any
) -> ApplicationDocument:
    """Store one document for the application, privately.

    `file` is a Django File/UploadedFile (anything with `.name`, `.size`, `.chunks()`, `.seek()`).
    Refused, each with its own message: a name with folder parts ('../', '/', '\\'); an empty file;
    a file over settings.DOCUMENT_MAX_BYTES; content that is not PDF, JPEG or PNG judged by its
    bytes (a renamed .exe, an HTML page, an SVG), whatever the name says. Pre: editable
    application, actor a member of the operator. Post: the file is under PRIVATE_MEDIA_ROOT with a
    generated name; the row holds the sanitised original name, size, SHA-256 and detected type;
    an audit event `application.upload_document`.
    """
    with transaction.atomic():
        application = _lock(application)
        _require_editable(application, actor)
        if document_type not in DocumentType.values:
            raise ValidationFailed(field_errors={"document_type": [_("Choose which document this is.")]})
        columns = read_upload(file, "file")
        refuse_repeated_upload(application, columns, "file")
        document = ApplicationDocument(
            application=application,
            document_type=document_type,
            **columns,
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        document.file.save(document.original_filename, file, save=False)
        stored = cast(str, document.file.name)  # FieldFile.save has named the file
        try:
            document.save()
            workflow.record(
                actor=actor,
                event=GrantsEvent.APPLICATION_UPLOAD_DOCUMENT,
                obj=application,
                from_state=application.state,
                to_state=application.state,
                data={
                    "reference": application.reference,
                    "document_type": document_type,
                    "file": document.original_filename,
                    "sha256": document.sha256,
                    "size": document.size,
                },
            )
        except Exception:
            document.file.storage.delete(stored)
            raise
    return document


def application_remove_document(*, document: ApplicationDocument, actor: "User") -> None:
    """Remove an uploaded document while the application is editable; the file is deleted after
    commit. The audit event keeps its name and SHA-256."""
    with transaction.atomic():
        application = _lock(document.application)
        _require_editable(application, actor)
        document = ApplicationDocument.objects.select_for_update().get(pk=document.pk, application=application)
        storage, stored = document.file.storage, cast(str, document.file.name)  # a document always has its file
        workflow.record(
            actor=actor,
            event=GrantsEvent.APPLICATION_REMOVE_DOCUMENT,
            obj=application,
            from_state=application.state,
            to_state=application.state,
            data={
                "reference": application.reference,
                "document_type": document.document_type,
                "file": document.original_filename,
                "sha256": document.sha256,
            },
        )
        document.delete()
        transaction.on_commit(lambda: storage.delete(stored))


# --- the operator's transitions --------------------------------------------------------------------


def application_submit(*, application: Application, actor: "User") -> Application:
    """Submit a draft. Refused with every missing item listed (sections and documents) and when the
    call has closed. Post: submitted, the clock starts; the operator gets a confirmation and the
    program officers a notice."""
    with transaction.atomic():
        application = _lock(application)
        _guard(application, "submit", actor)
        problems = []
        if not application.call.is_open():
            problems.append(
                _("The call “%(call)s” closed on %(closed)s; the application can no longer be submitted.")
                % {
                    "call": application.call.title,
                    "closed": show_datetime(application.call.closes_at),
                }
            )
        problems += missing_for_submit(application)
        # The guard for these rules is here, not in the model's `conditions=` (the model does not import
        # grants.sections): nothing reaches the transition while anything is missing.
        if problems:
            raise ValidationFailed(*problems)
        _transition(application, "submit", actor)
        # Duplicate checks (issue #20): the company, its connections and documents against the
        # registry (a few indexed queries); a match found holds the case at send to review.
        matches_check_application(application=application, actor=actor)
        ref = application.reference
        call = application.call
        # The call's title as each person reads it (a callable is rendered in their language).
        _tell_operator(application, *messages.TO_OPERATOR_SUBMITTED.render(ref=ref, call=lambda: call.display_title))
        _tell_officers(
            application,
            messages.TO_OFFICERS_SUBMITTED,
            operator=str(application.operator),
            ref=ref,
            amount=pkr_each(application.amount_requested),
        )
    return application


def application_answer_information(*, application: Application, actor: "User", answer: str) -> Application:
    """Answer the open information request; screening resumes and its clock restarts.
    Post: the request holds the answer; the officer who asked is told."""
    with transaction.atomic():
        application = _lock(application)
        errors: dict = {}
        answer = _text(answer, _("your answer"), errors, "answer")
        _guard(application, "answer_information", actor)
        _raise_if(errors)
        _transition(application, "answer_information", actor)
        request = application.information_requests.select_for_update().get(answered_at__isnull=True)
        request.answer = answer
        request.answered_by = actor
        request.answered_at = application.state_entered_at
        request.save(update_fields=["answer", "answered_by", "answered_at"])
        subject, body = messages.TO_ASKER_INFORMATION_RECEIVED.render(
            operator=str(application.operator), ref=application.reference
        )
        notify(recipients=[request.asked_by], subject=subject, body=body, url=application_url(application, staff=True))
    return application


def application_withdraw(*, application: Application, actor: "User", reason: str = "") -> Application:
    """The operator withdraws the application, in any state before a decision. Post: withdrawn
    (closed, the clock stops); officers are told if it had been submitted."""
    with transaction.atomic():
        application = _lock(application)
        errors: dict = {}
        reason = _text(reason, _("the reason"), errors, "reason", required=False)
        _raise_if(errors)
        source, _target = _transition(application, "withdraw", actor, reason=reason)
        _tell_operator(application, *messages.TO_OPERATOR_WITHDRAWN.render(ref=application.reference))
        if source != S.DRAFT:
            _tell_officers(
                application,
                messages.TO_OFFICERS_WITHDRAWN,
                operator=str(application.operator),
                ref=application.reference,
            )
    return application


# --- the program officer's transitions -------------------------------------------------------------


def application_start_screening(*, application: Application, actor: "User") -> Application:
    """An officer takes a submitted application into screening. Post: screening; operator told."""
    with transaction.atomic():
        application = _lock(application)
        _transition(application, "start_screening", actor)
        _tell_operator(application, *messages.TO_OPERATOR_SCREENING.render(ref=application.reference))
    return application


def application_request_information(*, application: Application, actor: "User", question: str) -> InformationRequest:
    """Ask the operator a question during screening. The clock pauses until they answer.

    Pre: screening, actor an officer, a non-empty question. Post: info_requested, one open
    InformationRequest (the database allows only one), operator told with the question.
    """
    with transaction.atomic():
        application = _lock(application)
        errors: dict = {}
        question = _text(question, _("the question"), errors, "question")
        _guard(application, "request_information", actor)
        _raise_if(errors)
        _transition(application, "request_information", actor, reason=question)
        request = InformationRequest.objects.create(
            application=application, asked_by=actor, question=question, asked_at=application.state_entered_at
        )
        _tell_operator(
            application,
            *messages.TO_OPERATOR_INFORMATION_REQUESTED.render(ref=application.reference, question=question),
            kind=Kind.INFORMATION_REQUEST,
        )
    return request


def application_screen_out(*, application: Application, actor: "User", reason: str) -> Application:
    """End the application at screening, with the reason the operator will read (required)."""
    with transaction.atomic():
        application = _lock(application)
        errors: dict = {}
        reason = _text(reason, _("the reason for screening out"), errors, "reason")
        _guard(application, "screen_out", actor)
        _raise_if(errors)
        _transition(application, "screen_out", actor, reason=reason)
        _tell_operator(
            application,
            *messages.TO_OPERATOR_SCREENED_OUT.render(ref=application.reference, reason=reason),
            kind=Kind.DECISION,
        )
    return application


def application_send_to_review(*, application: Application, actor: "User") -> Application:
    """Send a screened application to review. Refused, with the failing checks listed, unless every
    eligibility check passes (grants/eligibility.py) and no question is open."""
    with transaction.atomic():
        application = _lock(application)
        _guard(application, "send_to_review", actor)
        # The eligibility guard is here, not in the model's `conditions=` (the model does not import
        # grants.eligibility): the transition is reached only when every check passes.
        results = eligibility_checks(application)
        failing = [f"{check.label}: {check.detail}" for check in results if not check.passed]
        if failing:
            raise ValidationFailed(*failing)
        match_gates.refuse_while_matched([application.operator_id], action=match_messages.SEND_TO_REVIEW)
        checks = {check.code: check.passed for check in results}
        _transition(application, "send_to_review", actor, data={"eligibility": checks})
        _tell_operator(application, *messages.TO_OPERATOR_SENT_TO_REVIEW.render(ref=application.reference))
    return application
