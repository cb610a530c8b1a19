"""The performance page: per program, submitted applications per stage and the median days per stage,
from the Application rows and the audit log, on known data."""

import datetime as dt

import pytest
from django.db import transaction

from audit.services import audit_record
from cms.selectors import program_performance
from tests.factories import CallFactory, ProgramFactory, SpaceFactory, UserFactory
from tests.grants.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 8, 3, 9, 0, tzinfo=dt.UTC)


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def make(call, space, actor, state, path):
    """An application now in `state`, with audit events at the given days: [(to_state, day), ...]."""
    submitted = next((day(d) for s, d in path if s == "submitted"), None)
    closed = day(path[-1][1]) if state in ("screened_out", "approved", "rejected", "withdrawn") else None
    application = ApplicationFactory(
        state=state,
        call=call,
        space=space,
        created_by=actor,
        created_at=day(path[0][1]),
        updated_at=day(path[-1][1]),
        state_entered_at=day(path[-1][1]),
        submitted_at=submitted,
        decided_at=closed if state in ("approved", "rejected") else None,
        closed_at=closed,
        closing_reason="Reason" if state in ("screened_out", "rejected", "withdrawn") else "",
    )
    with transaction.atomic():
        previous = ""
        for to_state, when in path:
            audit_record(
                actor=actor,
                action="application.x",
                obj=application,
                from_state=previous,
                to_state=to_state,
                at=day(when),
            )
            if to_state == previous:
                continue
            previous = to_state
    return application


def test_counts_and_medians_per_stage(db):
    actor = UserFactory()
    grant = ProgramFactory(name="Growth Grant", code="GR")
    loan = ProgramFactory(name="Soft Loan", slug="soft-loan", code="SL")
    grant_call, loan_call = CallFactory(program=grant), CallFactory(program=loan)
    space = SpaceFactory()

    # Three grant applications through screening: 2, 4 and 9 days waiting before screening.
    make(grant_call, space, actor, "in_review", [("draft", 0), ("submitted", 1), ("screening", 3), ("in_review", 8)])
    make(grant_call, space, actor, "screening", [("draft", 0), ("submitted", 1), ("screening", 5)])
    # This one was asked for information (2 days screening, 6 days answering, 1 more day screening);
    # an edit in screening (from == to) changes nothing.
    make(
        grant_call,
        space,
        actor,
        "screened_out",
        [
            ("draft", 0),
            ("submitted", 2),
            ("screening", 11),
            ("screening", 12),
            ("info_requested", 13),
            ("screening", 19),
            ("screened_out", 20),
        ],
    )
    # A draft is not counted anywhere.
    make(grant_call, space, actor, "draft", [("draft", 0)])
    # A loan application, approved.
    make(
        loan_call,
        space,
        actor,
        "approved",
        [("draft", 0), ("submitted", 1), ("screening", 2), ("in_review", 4), ("recommended", 10), ("approved", 13)],
    )

    result = {item.program.code: item for item in program_performance()}
    grant_rows = {row.state: row for row in result["GR"].rows}
    assert result["GR"].total == 3
    assert {s: r.count for s, r in grant_rows.items() if r.count} == {"in_review": 1, "screening": 1, "screened_out": 1}
    assert grant_rows["submitted"].median_days == 4.0  # median of 2, 4 and 9
    assert grant_rows["submitted"].measured == 3
    # Screening: 5 days (one application, 3 -> 8) and 2 + 1 = 3 days (visited twice); the one still in
    # screening has not left it and is not measured.
    assert grant_rows["screening"].median_days == 4.0
    assert grant_rows["screening"].measured == 2
    assert grant_rows["info_requested"].median_days == 6.0
    assert grant_rows["in_review"].median_days is None and grant_rows["in_review"].measured == 0
    assert grant_rows["approved"].timed is False

    loan_rows = {row.state: row for row in result["SL"].rows}
    assert result["SL"].total == 1 and loan_rows["approved"].count == 1
    assert (loan_rows["in_review"].median_days, loan_rows["recommended"].median_days) == (6.0, 3.0)


def test_the_performance_page_shows_the_figures(client, performance_page, db):
    actor = UserFactory()
    call = CallFactory(program=ProgramFactory(name="Growth Grant", code="GR"))
    make(call, SpaceFactory(), actor, "screening", [("draft", 0), ("submitted", 1), ("screening", 3.5)])
    html = client.get(performance_page.url).content.decode()
    assert "<h2>Growth Grant</h2>" in html
    assert "1 application submitted." in html
    assert "2.5" in html and "not yet measured" in html


def test_the_performance_page_counts_seat_vouchers_and_names_nobody(client, performance_page, db):
    from tests.vouchers.conftest import make_freelancer, make_offer, make_round
    from vouchers.services.vouchers import voucher_apply

    round_ = make_round()
    voucher_apply(actor=make_freelancer(), round=round_, offer=make_offer(round_), seat_type="hot_desk")
    html = client.get(performance_page.url).content.decode()
    assert 'id="seat-vouchers-heading"' in html
    assert "<dt>On the waiting list</dt><dd>0</dd>" in html and "<dt>Issued</dt><dd>0</dd>" in html
    assert "Person" not in html.split('id="seat-vouchers"')[1]
