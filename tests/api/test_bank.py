"""The bank's endpoints: a sent batch's instructions; each payment's outcome through finance's own
services (the statement import's path), idempotent per key; collections through the repayment service;
hostile bodies refused with a problem and nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from api.models import IdempotencyKey
from audit.models import AuditEvent
from audit.services import audit_verify_chain
from finance.models import BankStatement, LedgerEntry, PaymentInstruction, StatementLine
from grants import services as grants
from grants.models import Award, Tranche
from loans.models import Loan, Repayment
from tests.grants.payments import accepted_grant, finance_people, payment_for, request_tranche
from tests.loans.conftest import disburse

pytestmark = pytest.mark.django_db


def outcome_path(payment):
    return f"/api/v1/bank/payments/{payment.reference}/outcome/"


def paid_body(payment, **overrides):
    return {
        "outcome": "paid",
        "amount": f"{payment.amount:.2f}",
        "value_date": timezone.localdate().isoformat(),
        "bank_reference": "FT-26341-0001",
        **overrides,
    }


def written():
    """What a bank post writes: if it is unchanged, nothing was written."""
    return (
        BankStatement.objects.count(),
        StatementLine.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
        IdempotencyKey.objects.count(),
        Repayment.objects.count(),
        tuple(PaymentInstruction.objects.order_by("pk").values_list("state", flat=True)),
    )


def test_the_bank_reads_a_sent_batch(bank, sent):
    batches = bank.get("/api/v1/bank/batches/").json()["results"]
    assert [b["reference"] for b in batches] == [sent.batch.reference]
    assert batches[0]["total"] == "1250000.00" and batches[0]["payment_count"] == 1
    batch = bank.get(f"/api/v1/bank/batches/{sent.batch.reference}/").json()
    assert batch["payments"] == [
        {
            "reference": sent.reference,
            "amount": "1250000.00",
            "iban": sent.iban_snapshot,
            "account_title": sent.payee_name_snapshot,
            "narration": sent.narration,
            "state": "sent",
            "paid_at": None,
            "failure_reason": "",
        }
    ]
    assert bank.get("/api/v1/bank/batches/PB-NOPE/").status_code == 404


def test_paid_twice_with_one_key_is_paid_once(bank, bank_client, sent):
    first = bank.post(outcome_path(sent), paid_body(sent), key="key-1")
    assert first.status_code == 200, first.content
    assert first.json()["already_applied"] is False and first.json()["payment"]["state"] == "reconciled"
    before = written()
    again = bank.post(outcome_path(sent), {**paid_body(sent)}, key="key-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == {**first.json(), "already_applied": True}
    assert written() == before  # nothing changed twice
    # What the bank said is kept as a one-line statement, and the client is the actor of every step.
    line = StatementLine.objects.get(instruction=sent)
    assert (line.bank_remarks, line.outcome, line.statement.uploaded_by) == (
        "FT-26341-0001",
        "matched",
        bank_client[0].account,
    )
    actions = list(
        AuditEvent.objects.filter(object_type="finance.paymentinstruction", object_id=str(sent.pk))
        .order_by("id")
        .values_list("action", "actor_label")
    )[-2:]
    assert actions == [
        ("payment.mark_paid", "api-client:hbl-payments"),
        ("payment.reconcile", "api-client:hbl-payments"),
    ]
    assert LedgerEntry.objects.get(instruction=sent, kind="paid").actor_label == "api-client:hbl-payments"
    assert audit_verify_chain().ok


def test_the_same_payment_from_a_second_key_is_refused_by_its_state(bank, sent):
    assert bank.post(outcome_path(sent), paid_body(sent), key="key-1").status_code == 200
    before = written()
    second = bank.post(outcome_path(sent), paid_body(sent), key="key-2")
    assert second.status_code == 409
    assert second.json()["detail"] == f"Payment {sent.reference} is Reconciled: it cannot do that now."
    assert written() == before
    # The first key with another body: refused, nothing changed.
    reused = bank.post(outcome_path(sent), paid_body(sent, bank_reference="FT-OTHER"), key="key-1")
    assert reused.status_code == 422 and reused.json()["type"] == "/api/v1/problems/idempotency-key-reused"
    assert written() == before


def test_a_returned_payment_fails_with_the_banks_reason(bank, sent):
    body = {"outcome": "returned", "amount": "1250000.00", "value_date": "2026-01-05", "reason": "Account closed"}
    response = bank.post(outcome_path(sent), body, key="r-1")
    assert response.status_code == 200, response.content
    sent.refresh_from_db()
    assert sent.state == "failed" and sent.failure_reason == "Account closed"
    assert LedgerEntry.objects.get(instruction=sent, kind="failed").statement_line.bank_status == "returned"


HOSTILE = [
    ("malformed JSON", '{"outcome": "paid",', "malformed-body", None),
    ("not an object", "[1, 2]", "invalid-fields", ""),
    ("NaN", '{"outcome": "paid", "amount": NaN}', "malformed-body", None),
    ("wrong type", {"amount": True}, "invalid-fields", "amount"),
    ("negative", {"amount": "-1250000.00"}, "invalid-fields", "amount"),
    ("over-precise", {"amount": "1250000.001"}, "invalid-fields", "amount"),
    ("over-precise number", {"amount": 1250000.001}, "invalid-fields", "amount"),
    ("huge", {"amount": "1e30"}, "invalid-fields", "amount"),
    ("not a date", {"value_date": "31/12/2026"}, "invalid-fields", "value_date"),
    ("unknown outcome", {"outcome": "lost"}, "invalid-fields", "outcome"),
    ("unknown field", {"iban": "PK00"}, "invalid-fields", "iban"),
    ("paid without a reference", {"bank_reference": None}, "invalid-fields", "bank_reference"),
    ("another amount", {"amount": "1250000.01"}, "rule-refused", "amount"),
]


@pytest.mark.parametrize(("case", "change", "problem", "field"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_bodies_get_a_problem_and_write_nothing(bank, sent, case, change, problem, field):
    if isinstance(change, str):
        response = bank.post(outcome_path(sent), change, key=f"h-{case}", raw=True)
    else:
        body = {k: v for k, v in {**paid_body(sent), **change}.items() if v is not None}
        before = written()
        response = bank.post(outcome_path(sent), body, key=f"h-{case}")
        assert written() == before
    assert response["Content-Type"] == "application/problem+json"
    problem_body = response.json()
    assert problem_body["type"] == f"/api/v1/problems/{problem}", problem_body
    assert response.status_code == problem_body["status"] in (400, 422)
    if field is not None:
        assert field in problem_body["errors"], problem_body
    sent.refresh_from_db()
    assert sent.state == "sent"


def test_unknown_reference_and_missing_key(bank, sent):
    unknown = bank.post("/api/v1/bank/payments/SHL-0000000000-1/outcome/", paid_body(sent), key="u-1")
    assert unknown.status_code == 404 and unknown.json()["type"] == "/api/v1/problems/not-found"
    missing = bank.post(outcome_path(sent), paid_body(sent))
    assert missing.status_code == 400 and missing.json()["type"] == "/api/v1/problems/idempotency-key-missing"


def test_problems_are_in_urdu_when_asked(bank, sent):
    response = bank.post(outcome_path(sent), paid_body(sent), HTTP_ACCEPT_LANGUAGE="ur")
    assert response["Content-Language"] == "ur"


def test_end_to_end_a_bank_marks_a_batch_paid_and_the_awards_paid_total_moves(
    bank, grant_call, operator, space, operator_user, officer
):
    award = accepted_grant(grant_call, operator, space, operator_user, officer)
    tranche = grants.tranche_verify(
        tranche=request_tranche(Tranche.objects.get(award=award, position=1), operator_user), actor=officer
    )
    maker, checker = finance_people()
    from finance import services as finance

    instruction = finance.payment_prepare(instruction=payment_for(tranche), actor=maker, amount=tranche.amount)
    instruction = finance.payment_approve(instruction=instruction, actor=checker)
    batch = finance.batch_create(actor=maker, value_date=timezone.localdate(), instructions=[instruction])
    finance.batch_mark_sent(batch=batch, actor=maker)
    assert Award.objects.get(pk=award.pk).paid == 0

    # The bank's system: the sent batch, then each payment's outcome.
    fetched = bank.get(f"/api/v1/bank/batches/{batch.reference}/").json()
    for payment in fetched["payments"]:
        body = {
            "outcome": "paid",
            "amount": payment["amount"],
            "value_date": fetched["value_date"],
            "bank_reference": f"FT-{payment['reference']}",
        }
        response = bank.post(
            f"/api/v1/bank/payments/{payment['reference']}/outcome/", body, key=f"pay-{payment['reference']}"
        )
        assert response.status_code == 200, response.content

    assert Tranche.objects.get(pk=tranche.pk).state == "paid"
    assert Award.objects.get(pk=award.pk).paid == tranche.amount > 0
    assert audit_verify_chain().ok


def test_collections_post_repayments_once(
    collections_client, loan_call, operator, space, operator_user, officer, chair, maker, checker
):
    people = {"operator_user": operator_user, "officer": officer, "maker": maker, "checker": checker, "chair": chair}
    loan = disburse(
        loan_call, operator, space, people, amount=Decimal("600000"), months=24, grace=0, on=dt.date(2026, 1, 10)
    )
    body = {
        "lines": [
            {
                "sanction_number": loan.sanction_number,
                "date_received": "2026-02-10",
                "amount": "10000.00",
                "bank_reference": "COL-1",
            },
        ]
    }
    response = collections_client.post("/api/v1/bank/collections/", body, key="col-1")
    assert response.status_code == 201, response.content
    posted = response.json()
    assert posted["repayments"][0]["amount"] == "10000.00" and posted["already_applied"] is False
    repayment = Repayment.objects.get(loan=loan)
    assert repayment.posted_by.full_name == "api-client:hbl-collections" and repayment.channel == "collection_file"
    assert Loan.objects.get(pk=loan.pk).principal_repaid + Loan.objects.get(pk=loan.pk).interest_repaid == Decimal(
        "10000.00"
    )

    before = written()
    again = collections_client.post("/api/v1/bank/collections/", body, key="col-1")
    assert again.status_code == 201 and again.json()["already_applied"] is True and written() == before
    twice = collections_client.post("/api/v1/bank/collections/", body, key="col-2")
    assert twice.status_code == 409 and written() == before

    # One bad line refuses them all, each fault under its line.
    bad = {
        "lines": [
            {
                "sanction_number": loan.sanction_number,
                "date_received": "2026-02-11",
                "amount": "5.00",
                "bank_reference": "COL-2",
            },
            {
                "sanction_number": loan.sanction_number,
                "date_received": "2026-02-12",
                "amount": "99999999.00",
                "bank_reference": "COL-3",
            },
        ]
    }
    refused = collections_client.post("/api/v1/bank/collections/", bad, key="col-3")
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"lines.1.amount"}
    assert written() == before
    unknown = {"lines": [{**bad["lines"][0], "sanction_number": "SAN-SL-2099-99999"}]}
    assert set(collections_client.post("/api/v1/bank/collections/", unknown, key="col-4").json()["errors"]) == {
        "lines.0.sanction_number"
    }
