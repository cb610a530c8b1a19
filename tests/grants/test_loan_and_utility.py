"""Soft-loan tier look-up and utility enrolment rules."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from grants import services
from grants.errors import ValidationFailed
from grants.models import GraceKind, LoanDetails, UtilityConnection

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan_draft(loan_call, operator, space, operator_user):
    return services.application_create(actor=operator_user, call=loan_call, operator=operator, space=space)


def save_loan(app, user, **overrides):
    values = {
        "amount": "1000000",
        "tenure_months": 60,
        "grace_months": 6,
        "purpose": "Second floor",
        "equity_contribution": "200000",
    }
    values.update(overrides)
    return services.application_save_loan_details(application=app, actor=user, **values)


@pytest.mark.parametrize(
    ("amount", "tier", "markup"),
    [("100000", 1, "0.00"), ("500000", 1, "0.00"), ("1500000", 2, "5.00"), ("7500000", 3, "7.00")],
)
def test_tier_and_markup_looked_up(loan_draft, operator_user, amount, tier, markup):
    details = save_loan(
        loan_draft, operator_user, amount=amount, tenure_months=36, grace_months=0, equity_contribution="2000000"
    )
    assert (details.tier.number, details.annual_markup_percent) == (tier, Decimal(markup))
    loan_draft.refresh_from_db()
    assert loan_draft.amount_requested == Decimal(amount)


def test_amount_between_tiers_refused_with_the_tiers(loan_draft, operator_user):
    with pytest.raises(ValidationFailed) as refusal:
        save_loan(loan_draft, operator_user, amount="500000.50")
    assert refusal.value.field_errors["amount"] == [
        "PKR 500,000.50 is outside every loan tier of this program (tier 1: PKR 100,000 to PKR 500,000; "
        "tier 2: PKR 500,001 to PKR 1,500,000; tier 3: PKR 1,500,001 to PKR 7,500,000)."
    ]
    assert not LoanDetails.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "8000000"}, "amount", "The loan amount is more than the program's largest, PKR 7,500,000."),
        ({"amount": "-1"}, "amount", "The loan amount cannot be negative."),
        ({"tenure_months": 120}, "tenure_months", "Tier 2 loans run at most 96 months."),
        ({"grace_months": 13}, "grace_months", "Tier 2 allows at most 12 months' grace."),
        ({"tenure_months": 6, "grace_months": 6}, "grace_months", "The grace period must be shorter than the tenure."),
        ({"tenure_months": "sixty"}, "tenure_months", "The tenure in months must be a whole number."),
        (
            {"equity_contribution": "100000"},
            "equity_contribution",
            "Tier 2 needs own equity of at least PKR 111,111.12 (10% of the project).",
        ),
    ],
)
def test_loan_rules(loan_draft, operator_user, overrides, field, message):
    with pytest.raises(ValidationFailed) as refusal:
        save_loan(loan_draft, operator_user, **overrides)
    assert [str(m) for m in refusal.value.field_errors[field]] == [message]
    assert not LoanDetails.objects.exists()


# --- what is paid during grace (grace_kind) --------------------------------------------------------


@pytest.mark.parametrize("kind", ["interest_only", "none"])
def test_each_grace_kind_is_saved_and_audited(loan_draft, operator_user, kind):
    details = save_loan(loan_draft, operator_user, grace_months=6, grace_kind=kind)
    assert LoanDetails.objects.get(pk=details.pk).grace_kind == kind
    event = AuditEvent.objects.filter(action="application.save_loan_details").latest("pk")
    assert (event.data["grace"], event.data["grace_kind"]) == (6, kind)


def test_the_grace_kind_can_be_changed_while_a_draft(loan_draft, operator_user):
    save_loan(loan_draft, operator_user, grace_kind="none")
    save_loan(loan_draft, operator_user, grace_kind="interest_only")
    assert LoanDetails.objects.get(application=loan_draft).grace_kind == GraceKind.INTEREST_ONLY


def test_without_the_argument_grace_is_interest_only(loan_draft, operator_user):
    # Callers that do not ask (older code, scripts) get what every loan had before the choice existed.
    assert save_loan(loan_draft, operator_user).grace_kind == "interest_only"


@pytest.mark.parametrize("grace_months", [0, 6])
@pytest.mark.parametrize("kind", ["deferred", "NONE", "capitalised"])
def test_an_unknown_grace_kind_is_refused(loan_draft, operator_user, grace_months, kind):
    with pytest.raises(ValidationFailed) as refusal:
        save_loan(loan_draft, operator_user, grace_months=grace_months, grace_kind=kind)
    assert [str(m) for m in refusal.value.field_errors["grace_kind"]] == [
        "Choose what you pay during the grace months: the markup only, or nothing (the markup is added)."
    ]
    assert not LoanDetails.objects.exists()


@pytest.mark.parametrize("kind", ["", None, "  "])
def test_grace_months_without_a_grace_kind_are_refused(loan_draft, operator_user, kind):
    with pytest.raises(ValidationFailed) as refusal:
        save_loan(loan_draft, operator_user, grace_months=6, grace_kind=kind)
    assert [str(m) for m in refusal.value.field_errors["grace_kind"]] == [
        "You asked for a grace period: choose what you pay during the grace months."
    ]
    assert not LoanDetails.objects.exists()


@pytest.mark.parametrize("kind", ["none", "interest_only", "", None])
def test_without_grace_the_kind_is_stored_as_interest_only(loan_draft, operator_user, kind):
    details = save_loan(loan_draft, operator_user, grace_months=0, grace_kind=kind)
    assert (details.grace_months, LoanDetails.objects.get(pk=details.pk).grace_kind) == (0, "interest_only")


def test_changing_to_no_grace_forgets_a_capitalised_grace(loan_draft, operator_user):
    save_loan(loan_draft, operator_user, grace_months=6, grace_kind="none")
    save_loan(loan_draft, operator_user, grace_months=0, grace_kind="none")
    assert LoanDetails.objects.get(application=loan_draft).grace_kind == "interest_only"


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"grace_kind": "deferred"}, "loandetails_grace_kind_valid"),
        ({"grace_months": 0, "grace_kind": "none"}, "loandetails_grace_kind_needs_grace"),
    ],
)
def test_the_database_holds_the_grace_kind_rules(loan_draft, operator_user, changes, constraint):
    details = save_loan(loan_draft, operator_user, grace_months=6, grace_kind="none")
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        LoanDetails.objects.filter(pk=details.pk).update(**changes)


@pytest.fixture
def utility_draft(utility_call, operator, operator_user):
    return services.application_create(actor=operator_user, call=utility_call, operator=operator)


def test_utility_enrolment_estimates_a_years_subsidy(utility_draft, operator_user, space, second_space):
    services.application_save_utility_connections(
        application=utility_draft,
        actor=operator_user,
        connections=[
            {"space": space, "disco": "LESCO", "bill_reference": "04 1111 2222 3333", "average_monthly_bill": "100000"},
            {
                "space": second_space.pk,
                "disco": "GEPCO",
                "bill_reference": "12345678901234",
                "average_monthly_bill": "400000",
            },
        ],
    )
    utility_draft.refresh_from_db()
    # 12 × (min(50% × 100,000, 150,000) + min(50% × 400,000, 150,000)) = 12 × 200,000
    assert utility_draft.amount_requested == Decimal("2400000.00")
    refs = list(UtilityConnection.objects.order_by("bill_reference").values_list("bill_reference", flat=True))
    assert refs == ["04111122223333", "12345678901234"]


@pytest.mark.parametrize(
    ("connection", "message"),
    [
        (
            {"disco": "LESCO", "bill_reference": "0411112222333", "average_monthly_bill": "1000"},
            "Connection 1: the LESCO bill reference number is 14 digits, with nothing else.",
        ),
        (
            {"disco": "KE", "bill_reference": "04111122223333", "average_monthly_bill": "1000"},
            "Connection 1: the KE bill reference number is 13 digits, with nothing else.",
        ),
        (
            {"disco": "MEPCO", "bill_reference": "0411112222333X", "average_monthly_bill": "1000"},
            "Connection 1: the MEPCO bill reference number is 14 digits, with nothing else.",
        ),
        (
            {"disco": "WAPDA", "bill_reference": "04111122223333", "average_monthly_bill": "1000"},
            "Connection 1: choose the electricity company.",
        ),
        (
            {"disco": "LESCO", "bill_reference": "04111122223333", "average_monthly_bill": "-50"},
            "Connection 1: the average monthly bill cannot be negative.",
        ),
        (
            {"disco": "LESCO", "bill_reference": "04111122223333", "average_monthly_bill": "50000000"},
            "Connection 1: an average bill of PKR 50,000,000 is not plausible for a coworking space.",
        ),
    ],
)
def test_utility_connection_rules(utility_draft, operator_user, space, connection, message):
    with pytest.raises(ValidationFailed) as refusal:
        services.application_save_utility_connections(
            application=utility_draft, actor=operator_user, connections=[{"space": space, **connection}]
        )
    assert [str(m) for m in refusal.value.field_errors["connections-1"]] == [message]
    assert not UtilityConnection.objects.exists()


def test_utility_refuses_another_operators_space(utility_draft, operator_user, other_space):
    with pytest.raises(ValidationFailed) as refusal:
        services.application_save_utility_connections(
            application=utility_draft,
            actor=operator_user,
            connections=[
                {
                    "space": other_space.pk,
                    "disco": "LESCO",
                    "bill_reference": "04111122223333",
                    "average_monthly_bill": "9000",
                }
            ],
        )
    assert refusal.value.field_errors["connections-1"] == [
        "Connection 1: that space is not one of Indus Hub Coworking (Pvt.) Ltd.'s spaces."
    ]
    assert not UtilityConnection.objects.exists()


def test_utility_refuses_a_space_already_enrolled(utility_call, operator, operator_user, space, utility_draft):
    connection = {"space": space, "disco": "LESCO", "bill_reference": "04111122223333", "average_monthly_bill": "9000"}
    services.application_save_utility_connections(
        application=utility_draft, actor=operator_user, connections=[connection]
    )
    second = services.application_create(actor=operator_user, call=utility_call, operator=operator)
    with pytest.raises(ValidationFailed) as refusal:
        services.application_save_utility_connections(application=second, actor=operator_user, connections=[connection])
    assert utility_draft.reference in refusal.value.message


def test_utility_application_refuses_a_space_at_creation(utility_call, operator, operator_user, space):
    with pytest.raises(ValidationFailed):
        services.application_create(actor=operator_user, call=utility_call, operator=operator, space=space)


def test_wrong_instrument_section_refused(utility_draft, operator_user):
    with pytest.raises(ValidationFailed):
        save_loan(utility_draft, operator_user)
