"""The reads: filters, amounts as decimal strings, times with their offset, cursor pages that stay
stable while rows are added, ETags, updated_since, and awards with the 360Giving export's fields."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from cms import open_data
from finance import services as finance
from grants.models import Award
from tests.factories import SpaceFactory
from tests.finance.conftest import request_payment
from tests.grants.payments import accepted_grant

pytestmark = pytest.mark.django_db
PKT = dt.timezone(dt.timedelta(hours=5))


def paid(space, operator, officer, maker, checker, *, amount, when):
    """A payment for `space` marked paid at `when` (Pakistan time), through the services."""
    with time_machine.travel(when, tick=False):
        instruction = finance.payment_request(
            source=space, payee=operator, amount=amount, narration=f"Tranche for {space}", actor=officer, space=space
        )
        instruction = finance.payment_prepare(instruction=instruction, actor=maker, amount=amount)
        instruction = finance.payment_approve(instruction=instruction, actor=checker)
        batch = finance.batch_create(actor=maker, value_date=when.date(), instructions=[instruction])
        finance.batch_mark_sent(batch=batch, actor=maker)
        instruction.refresh_from_db()
        return finance.payment_mark_paid(instruction=instruction, actor=checker)


def pages(api, path):
    """Every row of a list, page by page; and how many pages it took."""
    rows, count = [], 0
    while path:
        response = api.get(path)
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        count += 1
        path = body["next"]
    return rows, count


def test_payments_filter_by_quarter_program_state_and_district(reports, operator, officer, maker, checker):
    lahore = SpaceFactory(operator=operator, code="LHR-101")
    multan = SpaceFactory(operator=operator, code="MUX-102", division="Multan", district="Multan")
    in_q1 = paid(
        lahore,
        operator,
        officer,
        maker,
        checker,
        amount=Decimal("1000.50"),
        when=dt.datetime(2025, 9, 30, 23, 0, tzinfo=PKT),
    )
    in_q2 = paid(
        multan,
        operator,
        officer,
        maker,
        checker,
        amount=Decimal("2000.00"),
        when=dt.datetime(2025, 10, 1, 0, 30, tzinfo=PKT),
    )
    waiting = request_payment(
        SpaceFactory(operator=operator, code="LHR-103"), operator, officer, amount=Decimal("5.00")
    )

    q1 = reports.get("/api/v1/payments/?fiscal_quarter=FY2025-26-Q1").json()["results"]
    assert [p["reference"] for p in q1] == [in_q1.reference]
    assert q1[0]["amount"] == "1000.50"  # a decimal string, never a float
    assert q1[0]["paid_at"] == "2025-09-30T23:00:00+05:00"  # Pakistan time, with its offset
    q2 = reports.get("/api/v1/payments/?fiscal_quarter=2025-26-Q2").json()["results"]
    assert [p["reference"] for p in q2] == [in_q2.reference]
    assert [p["reference"] for p in reports.get("/api/v1/payments/?district=Multan").json()["results"]] == [
        in_q2.reference
    ]
    requested = reports.get("/api/v1/payments/?state=requested").json()["results"]
    assert [p["reference"] for p in requested] == [waiting.reference]
    assert reports.get("/api/v1/payments/?program=GR").json()["results"] == []  # no application: no program
    bad = reports.get("/api/v1/payments/?fiscal_quarter=Q5&state=lost")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"fiscal_quarter", "state"}


def test_pages_stay_stable_while_rows_are_added(reports, operator, officer):
    spaces = [SpaceFactory(operator=operator, code=f"LHR-2{i:02d}") for i in range(7)]
    first = [request_payment(s, operator, officer, amount=Decimal("10.00")).reference for s in spaces[:5]]
    page_one = reports.get("/api/v1/payments/?page_size=2").json()
    # Rows added while the client pages through come after the rows it has: none skipped, none twice.
    later = [request_payment(s, operator, officer, amount=Decimal("10.00")).reference for s in spaces[5:]]
    rest, count = pages(reports, page_one["next"])
    seen = [p["reference"] for p in page_one["results"] + rest]
    assert seen == first + later and count == 3
    assert page_one["previous"] is None


def test_an_unchanged_page_answers_304_to_its_etag(reports, operator, officer):
    request_payment(SpaceFactory(operator=operator), operator, officer)
    response = reports.get("/api/v1/payments/")
    etag = response["ETag"]
    again = reports.get("/api/v1/payments/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    request_payment(SpaceFactory(operator=operator), operator, officer)
    changed = reports.get("/api/v1/payments/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_updated_since_gives_the_rows_changed_since(reports, operator, officer, maker):
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=PKT), tick=False):
        old = request_payment(SpaceFactory(operator=operator), operator, officer)
        untouched = request_payment(SpaceFactory(operator=operator), operator, officer)
    with time_machine.travel(dt.datetime(2026, 3, 5, 10, tzinfo=PKT), tick=False):
        finance.payment_prepare(instruction=old, actor=maker, amount=old.amount)
        new = request_payment(SpaceFactory(operator=operator), operator, officer)
    since = "2026-03-02T00:00:00+05:00"
    changed = reports.get(
        "/api/v1/payments/", updated_since=None, QUERY_STRING=f"updated_since={since.replace('+', '%2B')}"
    )
    assert {p["reference"] for p in changed.json()["results"]} == {old.reference, new.reference}
    assert untouched.reference not in {p["reference"] for p in changed.json()["results"]}


def test_awards_carry_the_360giving_fields(reports, grant_call, operator, space, operator_user, officer):
    award = accepted_grant(grant_call, operator, space, operator_user, officer)
    row = reports.get("/api/v1/awards/").json()["results"][0]
    expected = json.loads(json.dumps(open_data.grant(Award.objects.get(pk=award.pk)), default=str))
    assert {key: row[key] for key in expected if key != "amountAwarded"} == {
        key: value for key, value in expected.items() if key != "amountAwarded"
    }
    assert row["amountAwarded"] == f"{award.amount:.2f}" and row["sanction_number"] == award.sanction_number
    assert row["paid"] == "0.00"


def test_loan_positions_as_of_a_day(reports):
    response = reports.get("/api/v1/loan-positions/?as_of=2026-02-30")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"as_of"}
    body = reports.get(f"/api/v1/loan-positions/?as_of={timezone.localdate().isoformat()}").json()
    assert body["results"] == []
