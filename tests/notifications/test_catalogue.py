"""Every notice in the stewards' catalogue (issue #19): the concerns' notices are discovered from their
messages modules, each placeholder described and each kind declared; a steward's text takes effect
wherever the notice is rendered, per recipient language, with names isolated in Urdu, at one query a
render; notify keeps the notice and its params; what a person typed cannot be dropped."""

import ast
import importlib
import pathlib

import pytest
from django.utils import translation

from accounts import roles
from core.errors import ValidationFailed
from core.messages import Notice
from grants import messages as grants_messages
from notifications import catalogue, notices, services
from notifications.kinds import Kind
from notifications.models import Notification, NotificationTemplate
from tests.grants.conftest import complete_grant, to_state
from tests.grants.factories import CallFactory, GrantProgramFactory, OperatorFactory, SpaceFactory, UserFactory
from vouchers import messages as vouchers_messages

ROOT = pathlib.Path(__file__).resolve().parents[2]
FSI, PDI = "\u2068", "\u2069"


@pytest.fixture
def steward(db):
    return UserFactory(roles=[roles.DATA_STEWARD], is_staff=True)


# --- discovery ------------------------------------------------------------------------------------------


def _project_notices() -> dict[str, Notice]:
    found = {}
    for path in sorted(ROOT.glob("*/messages.py")):
        app = path.parent.name
        if app in ("core", "notifications"):
            continue
        module = importlib.import_module(f"{app}.messages")
        found |= {f"{app}.{name}": value for name, value in vars(module).items() if isinstance(value, Notice)}
    return found


def test_every_notice_of_every_messages_module_is_in_the_catalogue():
    found = _project_notices()
    assert len(found) > 70
    for code, notice in found.items():
        assert catalogue.BY_CODE[code].notice is notice, code
    assert {"grants.TO_OPERATOR_SUBMITTED", "loans.TO_BORROWER_DISBURSED", "vouchers.VOUCHER_REFUSED"} <= set(found)
    # The reminders' and digests' notices keep their codes of before.
    assert {"return_due_soon", "staff_digest", "operator_digest"} <= set(catalogue.BY_CODE)


def test_no_notice_is_defined_outside_a_messages_module():
    """A Notice written elsewhere would not be discovered, so no steward could keep its text."""
    for path in ROOT.glob("*/**/*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "tests", "bench") or path.name == "messages.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                assert name != "Notice", f"{path}:{node.lineno}"


@pytest.mark.parametrize("entry", catalogue.ENTRIES, ids=lambda e: e.code)
def test_every_placeholder_of_every_notice_says_what_it_is(entry):
    """Fails for a new notice whose placeholder notifications/notices.py describes nowhere."""
    undescribed = [name for name, described in entry.placeholders.items() if not str(described).strip()]
    assert not undescribed, f"{entry.code}: describe {undescribed} in notifications/notices.py"


def test_the_descriptions_and_kinds_name_only_notices_that_exist():
    for code in [*notices.PLACEHOLDERS_OF, *notices.KINDS]:
        assert code in catalogue.BY_CODE, code
    for code, described in notices.PLACEHOLDERS_OF.items():
        assert set(described) <= set(catalogue.BY_CODE[code].placeholders), code


def test_a_discovered_entry_reads_its_placeholders_label_and_kind():
    entry = catalogue.BY_CODE["grants.TO_OPERATOR_SCREENED_OUT"]
    assert set(entry.placeholders) == {"ref", "reason"}
    assert entry.required == {"reason"}  # what the officer typed
    assert entry.kind == Kind.DECISION
    assert str(entry.label) == "Programs, calls and awards: Application {ref} was not taken forward"
    with translation.override("ur"):
        assert any("\u0600" <= ch <= "\u06ff" for ch in str(entry.label))
    # %(name)d is a placeholder too; %% is a percent sign.
    assert "months" in catalogue.BY_CODE["loans.TO_BORROWER_RESTRUCTURED"].placeholders
    assert "%" in catalogue.BY_CODE["vouchers.VOUCHER_APPROVED"].default("body")


def _named(node: ast.AST, owner: str) -> bool:
    """`node` is `owner.<something>` (Kind.DECISION, messages.TO_OPERATOR_APPROVED)."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == owner


def _explicit_kinds() -> list[tuple[str, str, str]]:
    """(code, kind, where) for each notice rendered in a service function that passes one kind= to
    notify (or _tell_operator)."""
    found = []
    for path in sorted(ROOT.glob("*/services*/**/*.py")) + sorted(ROOT.glob("*/services.py")):
        if path.relative_to(ROOT).parts[0] in (".venv", "notifications"):
            continue
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef):
                continue
            kinds, rendered = set(), set()
            for node in ast.walk(function):
                if isinstance(node, ast.keyword) and node.arg == "kind" and _named(node.value, "Kind"):
                    kinds.add(node.value.attr)
                if isinstance(node, ast.Attribute) and node.attr == "render" and _named(node.value, "messages"):
                    rendered.add(node.value.attr)
            if len(kinds) == 1:
                (kind,) = kinds
                app = path.relative_to(ROOT).parts[0]
                found += [(f"{app}.{name}", Kind[kind].value, f"{path.name}:{function.name}") for name in rendered]
    return found


def test_the_catalogue_s_kind_is_the_one_callers_pass_today():
    explicit = _explicit_kinds()
    assert len(explicit) >= 6  # information request, screened out, approved, rejected, deferred, tranche paid
    for code, kind, where in explicit:
        assert catalogue.BY_CODE[code].kind == kind, (code, where)


def test_notify_takes_the_kind_from_the_catalogue_unless_the_caller_names_one(db):
    person = UserFactory(roles=[roles.FREELANCER])
    subject, body = vouchers_messages.VOUCHER_REFUSED.render(reference="SV-1", space="Hub", reason="Full")
    (refused,) = services.notify(recipients=[person], subject=subject, body=body)
    assert (refused.kind, refused.notice) == (Kind.DECISION, "vouchers.VOUCHER_REFUSED")
    (told,) = services.notify(recipients=[person], subject=subject, body=body, kind=Kind.GENERAL)
    assert told.kind == Kind.GENERAL
    (plain,) = services.notify(recipients=[person], subject="A text written inline", body="")
    assert (plain.kind, plain.notice, plain.params) == (Kind.GENERAL, "", {})


# --- a steward's text wherever the notice is rendered ------------------------------------------------------


def _submitted(*members):
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    operator = OperatorFactory(members=list(members))
    call = CallFactory(program=GrantProgramFactory(code="GR", name="Growth Grant", slug="growth-grant"))
    application = complete_grant(call, operator, SpaceFactory(operator=operator), members[0])
    return to_state(application, "submitted", operator_user=members[0], officer=officer)


def test_a_steward_s_text_of_a_grants_notice_is_what_the_operator_s_people_read(steward):
    urdu_reader = UserFactory(roles=[roles.OPERATOR], language="ur")
    english_reader = UserFactory(roles=[roles.OPERATOR], language="en")
    services.notification_template_save(
        actor=steward,
        template=NotificationTemplate(
            code="grants.TO_OPERATOR_SUBMITTED",
            subject_en="Received: {ref}",
            subject_ur="موصول ہوئی: {ref}",
            body_ur="درخواست {ref} ({call}) موصول ہوئی۔",
        ),
    )
    application = _submitted(urdu_reader, english_reader)
    ref = application.reference
    english = Notification.objects.get(recipient=english_reader, notice="grants.TO_OPERATOR_SUBMITTED")
    urdu = Notification.objects.get(recipient=urdu_reader, notice="grants.TO_OPERATOR_SUBMITTED")
    assert english.subject == f"Received: {ref}"
    assert english.body.startswith(f"We received application {ref} to ")  # blank: the code's default
    # Urdu: the steward's words, the reference isolated (U+2068 ... U+2069) as in the code's texts.
    assert urdu.subject == f"موصول ہوئی: {FSI}{ref}{PDI}"
    assert urdu.body.startswith(f"درخواست {FSI}{ref}{PDI} (")
    # Each row keeps both languages for the inbox, and the params as filled in.
    assert english.texts["ur"]["subject"] == urdu.subject
    assert english.params["en"]["ref"] == ref and english.params["ur"]["ref"] == f"{FSI}{ref}{PDI}"
    assert english.kind == Kind.GENERAL


def test_without_a_steward_s_text_the_code_s_default_is_sent(db):
    reader = UserFactory(roles=[roles.OPERATOR], language="en")
    application = _submitted(reader)
    notification = Notification.objects.get(recipient=reader, notice="grants.TO_OPERATOR_SUBMITTED")
    assert notification.subject == f"Application {application.reference} submitted"


def test_a_render_reads_the_steward_s_texts_once_whatever_the_languages(steward, django_assert_num_queries):
    services.notification_template_save(
        actor=steward, template=NotificationTemplate(code="grants.TO_OPERATOR_WITHDRAWN", subject_en="Gone: {ref}")
    )
    with django_assert_num_queries(0):
        subject, body = grants_messages.TO_OPERATOR_WITHDRAWN.render(ref="GR-2026-0001")
    with django_assert_num_queries(1):
        texts = {}
        for language in ("en", "ur", "en"):
            with translation.override(language):
                texts[language] = (subject(), body())
    assert texts["en"][0] == "Gone: GR-2026-0001"
    assert texts["ur"][0].count(FSI) == 1 and "GR-2026-0001" in texts["ur"][0]  # the Urdu default


def test_what_a_person_typed_cannot_be_dropped_from_the_message(steward):
    template = NotificationTemplate(
        code="grants.TO_OPERATOR_SCREENED_OUT", body_en="Application {ref} was screened out. Call us."
    )
    with pytest.raises(ValidationFailed) as refused:
        services.notification_template_save(actor=steward, template=template)
    assert refused.value.field_errors["body_en"] == [
        "The message must keep {reason}: it carries what a person typed, which the reader must see."
    ]
    template.body_en = "Application {ref} was screened out:\n\n{reason}"
    services.notification_template_save(actor=steward, template=template)
    assert NotificationTemplate.objects.filter(code="grants.TO_OPERATOR_SCREENED_OUT").exists()


def test_an_unknown_placeholder_in_a_discovered_notice_is_refused_with_its_line(steward):
    template = NotificationTemplate(code="loans.TO_BORROWER_DISBURSED", subject_en="Loan {s}", body_ur="{s}\n{iban}")
    with pytest.raises(ValidationFailed) as refused:
        services.notification_template_save(actor=steward, template=template)
    assert refused.value.field_errors["body_ur"] == [
        "Line 2: unknown placeholder {iban}; this notice may use {amount}, {day}, {due}, {first}, {s}."
    ]


def test_the_notice_and_its_params_are_shown_read_only_in_the_admin(client, db):
    person = UserFactory(roles=[roles.FREELANCER])
    subject, body = vouchers_messages.VOUCHER_REFUSED.render(reference="SV-9", space="Hub", reason="Full")
    (row,) = services.notify(recipients=[person], subject=subject, body=body)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(f"/django-admin/notifications/notification/{row.pk}/change/").content.decode()
    assert "vouchers.VOUCHER_REFUSED" in html and "SV-9" in html
    assert 'name="notice"' not in html and 'name="params"' not in html
