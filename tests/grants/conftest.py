"""Shared set-up for the grants tests: people, a program of each instrument with an open call, and
helpers that build complete applications through the services, as an operator would."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts import roles
from grants import services

from .factories import (
    CallFactory,
    GrantProgramFactory,
    LoanProgramFactory,
    OperatorFactory,
    SpaceFactory,
    UserFactory,
    UtilityProgramFactory,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32


def pdf(name="document.pdf"):
    """A PDF whose bytes differ by name: one file is uploaded once per application."""
    return ContentFile(unique_pdf(name), name=name)


_serial = itertools.count(1)


def fresh_pdf(name: str) -> ContentFile:
    """A PDF no earlier upload of the test run has: for a helper called several times per case."""
    return ContentFile(unique_pdf(f"{name} {next(_serial)}"), name=name)


def fresh_png(name: str) -> ContentFile:
    return ContentFile(PNG_BYTES + str(next(_serial)).encode(), name=name)


def unique_pdf(label: str) -> bytes:
    return PDF_BYTES.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + label.encode("ascii", "replace") + b"\n", 1)


@pytest.fixture
def operator_user(db):
    return UserFactory(roles=[roles.OPERATOR], email="ayesha@indus.example.pk")


@pytest.fixture
def operator(operator_user):
    return OperatorFactory(members=[operator_user], legal_name="Indus Hub Coworking (Pvt.) Ltd.")


@pytest.fixture
def space(operator):
    return SpaceFactory(operator=operator, code="LHR-001", name="Indus Lahore Hub")


@pytest.fixture
def second_space(operator):
    return SpaceFactory(
        operator=operator, code="GRW-002", name="Indus Gujranwala Desk", division="Gujranwala", district="Gujranwala"
    )


@pytest.fixture
def other_operator_user(db):
    return UserFactory(roles=[roles.OPERATOR], email="bilal@ravi.example.pk")


@pytest.fixture
def other_operator(other_operator_user):
    return OperatorFactory(members=[other_operator_user], legal_name="Ravi Workspaces (SMC-Pvt.) Ltd.")


@pytest.fixture
def other_space(other_operator):
    return SpaceFactory(operator=other_operator, code="LHR-900", name="Ravi Lahore Loft")


@pytest.fixture
def officer(db):
    return UserFactory(roles=[roles.PROGRAM_OFFICER], email="officer@pitb.example.pk", full_name="Hamza Iqbal")


@pytest.fixture
def chair(db):
    return UserFactory(roles=[roles.BOARD_CHAIR], email="chair@pitb.example.pk")


@pytest.fixture
def grant_call(db):
    return CallFactory(program=GrantProgramFactory(code="GR", name="Growth Grant", slug="growth-grant"))


@pytest.fixture
def loan_call(db):
    return CallFactory(program=LoanProgramFactory(code="SL", name="Soft Loan", slug="soft-loan"))


@pytest.fixture
def utility_call(db):
    return CallFactory(program=UtilityProgramFactory(code="US", name="Power Relief", slug="power-relief"))


def upload_required(application, actor):
    # Each application's files its own bytes (case_pdf): the same file on two operators' cases is a
    # duplicate match (issue #20) that holds the case at send to review.
    for code in application.call.program.required_documents:
        services.application_upload_document(
            application=application, actor=actor, document_type=code, file=case_pdf(f"{code}.pdf", application)
        )


def case_pdf(name: str, application) -> ContentFile:
    """The PDF `name` of one application: its bytes name the application, so no other case has them."""
    return ContentFile(unique_pdf(f"{name} {application.reference}"), name=name)


def complete_grant(call, operator, space, actor, amount=Decimal("4000000")):
    app = services.application_create(actor=actor, call=call, operator=operator, space=space)
    contribution = Decimal("1000000")
    services.application_save_grant_details(
        application=app,
        actor=actor,
        purpose="Forty more seats and solar backup",
        amount_requested=amount,
        own_contribution=contribution,
    )
    services.application_save_budget_lines(
        application=app,
        actor=actor,
        lines=[
            {"description": "Furniture for 40 seats", "amount": Decimal("2000000")},
            {"description": "Solar system 15 kW", "amount": amount + contribution - Decimal("2000000")},
        ],
    )
    today = timezone.localdate()
    services.application_save_milestones(
        application=app,
        actor=actor,
        milestones=[
            {"title": "Seats installed", "amount": amount / 2, "due_date": today + dt.timedelta(days=90)},
            {"title": "Solar commissioned", "amount": amount / 2, "due_date": today + dt.timedelta(days=180)},
        ],
    )
    upload_required(app, actor)
    app.refresh_from_db()
    return app


def complete_loan(call, operator, space, actor, amount=Decimal("1000000"), grace_kind="interest_only"):
    app = services.application_create(actor=actor, call=call, operator=operator, space=space)
    services.application_save_loan_details(
        application=app,
        actor=actor,
        amount=amount,
        tenure_months=60,
        grace_months=6,
        grace_kind=grace_kind,
        purpose="Fit-out of a second floor",
        equity_contribution=Decimal("200000"),
    )
    upload_required(app, actor)
    app.refresh_from_db()
    return app


def complete_utility(call, operator, spaces, actor):
    app = services.application_create(actor=actor, call=call, operator=operator)
    services.application_save_utility_connections(
        application=app,
        actor=actor,
        connections=[
            {"space": s, "disco": "LESCO", "bill_reference": f"0411{i:010d}", "average_monthly_bill": Decimal("180000")}
            for i, s in enumerate(spaces, start=1)
        ],
    )
    upload_required(app, actor)
    app.refresh_from_db()
    return app


SCORES = {"need": 4, "feasibility": 4, "underserved_reach": 3, "womens_participation": 5, "value_for_money": 4}


def make_reviewers(n=2):
    return [UserFactory(roles=[roles.BOARD_REVIEWER]) for _i in range(n)]


def review_fully(app, *, officer, reviewers=None, scores=None, recommendation="approve"):
    """Assign reviewers (the program's minimum unless given), each declares no conflict and submits:
    the application ends recommended."""
    reviewers = reviewers or make_reviewers(app.call.program.min_reviewers)
    reviews = services.review_assign(application=app, actor=officer, reviewers=reviewers)
    for review in reviews:
        review = services.review_declare(review=review, actor=review.reviewer, conflict=False)
        services.review_submit(
            review=review,
            actor=review.reviewer,
            scores=scores or SCORES,
            recommendation=recommendation,
            comments="A sound plan in an underserved district.",
        )
    app.refresh_from_db()
    return app


def ensure_allocation(program, amount=Decimal("100000000")):
    from grants.fiscal import FiscalYear
    from grants.models import BudgetAllocation

    allocation, _created = BudgetAllocation.objects.get_or_create(
        program=program, fiscal_year=FiscalYear.current().start_year, defaults={"amount": amount}
    )
    return allocation


def board_meeting(chair, members=2):
    """A meeting today with the chair and `members` other board reviewers present."""
    return services.board_meeting_record(
        actor=chair, held_on=timezone.localdate(), members_present=make_reviewers(members)
    )


def decide(app, chair, outcome="approve", *, meeting=None, amount=None, reasons="", conditions=""):
    ensure_allocation(app.call.program)
    meeting = meeting or board_meeting(chair)
    return services.board_decision_record(
        meeting=meeting,
        application=app,
        actor=chair,
        outcome=outcome,
        votes_for=3 if outcome != "reject" else 0,
        votes_against=0 if outcome != "reject" else 3,
        votes_abstain=0,
        amount=amount,
        reasons=reasons,
        conditions=conditions,
    )


def to_state(app, state, *, operator_user, officer, chair=None):
    """Walk a complete draft to `state` through the services."""
    path = {
        "draft": [],
        "submitted": ["submit"],
        "screening": ["submit", "screen"],
        "info_requested": ["submit", "screen", "ask"],
        "screened_out": ["submit", "screen", "out"],
        "in_review": ["submit", "screen", "review"],
        "recommended": ["submit", "screen", "review", "recommend"],
        "approved": ["submit", "screen", "review", "recommend", "approve"],
        "rejected": ["submit", "screen", "review", "recommend", "reject"],
        "withdrawn": ["withdraw"],
    }[state]
    if chair is None and ("approve" in path or "reject" in path):
        chair = UserFactory(roles=[roles.BOARD_CHAIR])
    steps = {
        "submit": lambda a: services.application_submit(application=a, actor=operator_user),
        "screen": lambda a: services.application_start_screening(application=a, actor=officer),
        "ask": lambda a: services.application_request_information(application=a, actor=officer, question="Lease?"),
        "out": lambda a: services.application_screen_out(application=a, actor=officer, reason="Not in scope"),
        "review": lambda a: services.application_send_to_review(application=a, actor=officer),
        "recommend": lambda a: review_fully(a, officer=officer),
        "approve": lambda a: decide(a, chair, "approve"),
        "reject": lambda a: decide(a, chair, "reject", reasons="Budget exhausted"),
        "withdraw": lambda a: services.application_withdraw(application=a, actor=operator_user),
    }
    for step in path:
        result = steps[step](app)
        if hasattr(result, "state") and isinstance(result, type(app)):
            app = result
    app.refresh_from_db()
    return app
