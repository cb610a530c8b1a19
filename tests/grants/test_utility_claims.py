"""Utility claims: one month's bill of an enrolled connection, the subsidy min(share × bill, cap), the
officer's verification and approval into a payment, and the refusals (a bill claimed twice, a month in
the future or before the enrolment, another company's connection, an award that has too little left)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finance.models import PaymentInstruction
from grants import services
from grants.errors import InvalidTransition, PermissionDenied, ValidationFailed
from grants.models import Award, UtilityClaim
from grants.services import utility_subsidy_for

from .conftest import PDF_BYTES, complete_utility, ensure_allocation, fresh_pdf, to_state, unique_pdf
from .payments import accepted_enrolment, finance_people, pay_through_finance, payment_for

pytestmark = pytest.mark.django_db

KHI = ZoneInfo("Asia/Karachi")
ENROLLED = dt.datetime(2026, 7, 10, 11, 0, tzinfo=KHI)
NOW = dt.datetime(2026, 11, 15, 11, 0, tzinfo=KHI)
REFERENCE = "04110000000001"  # the connection's, from conftest.complete_utility


@pytest.fixture
def clock():
    with time_machine.travel(ENROLLED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def award(clock, utility_call, operator, space, operator_user, officer):
    award = accepted_enrolment(utility_call, operator, [space], operator_user, officer)
    clock.move_to(NOW)
    return award


@pytest.fixture
def connection(award):
    return award.application.connections.get()


def bill(name="bill-nov.pdf"):
    return fresh_pdf(name)


def claim(connection, actor, *, month=dt.date(2026, 10, 1), amount="200000", disco="LESCO", reference=REFERENCE):
    return services.utility_claim_submit(
        connection=connection,
        actor=actor,
        disco=disco,
        bill_reference=reference,
        billing_month=month,
        units=3400,
        bill_amount=amount,
        file=bill(),
    )


# --- the subsidy -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bill_amount", "subsidy"),
    [
        ("200000.00", "100000.00"),  # under the cap: half the bill
        ("299999.98", "149999.99"),  # just under the cap
        ("300000.00", "150000.00"),  # exactly at the cap
        ("300000.02", "150000.00"),  # above: the cap
        ("950000.00", "150000.00"),
        ("123456.79", "61728.40"),  # 61,728.395 rounds half up to the paisa
    ],
)
def test_subsidy_is_the_share_of_the_bill_up_to_the_monthly_cap(utility_call, bill_amount, subsidy):
    assert utility_subsidy_for(utility_call.program, Decimal(bill_amount)) == Decimal(subsidy)


def test_filing_a_claim_works_out_the_subsidy_and_stores_the_bill_privately(award, connection, operator_user):
    filed = claim(connection, operator_user, amount="320,000")
    assert filed.state == "submitted"
    assert (filed.bill_amount, filed.eligible_amount, filed.subsidy_amount) == (
        Decimal("320000.00"),
        Decimal("320000.00"),
        Decimal("150000.00"),
    )
    assert filed.billing_month == dt.date(2026, 10, 1) and filed.content_type == "application/pdf"
    assert filed.file.name.startswith(f"payments/claims/{connection.pk}/")


# --- refusals --------------------------------------------------------------------------------------


def test_the_same_bill_is_claimed_once_and_a_rejected_one_may_be_filed_again(award, connection, operator_user, officer):
    first = claim(connection, operator_user)
    with pytest.raises(ValidationFailed, match="already claimed"):
        claim(connection, operator_user, month=dt.date(2026, 10, 20))  # any day of the same month
    services.utility_claim_reject(claim=first, actor=officer, reason="The scan is unreadable.")
    again = claim(connection, operator_user)
    assert again.state == "submitted"
    assert UtilityClaim.objects.filter(billing_month=dt.date(2026, 10, 1)).count() == 2


def test_one_scan_for_two_months_is_refused_naming_the_first_claim_until_that_claim_is_rejected(
    award, connection, operator_user, officer
):
    scan = unique_pdf("one scan for two months")
    first = services.utility_claim_submit(
        connection=connection, actor=operator_user, disco="LESCO", bill_reference=REFERENCE,
        billing_month=dt.date(2026, 10, 1), units=3400, bill_amount="200000", file=ContentFile(scan, name="oct.pdf"),
    )  # fmt: skip

    def november():
        return services.utility_claim_submit(
            connection=connection, actor=operator_user, disco="LESCO", bill_reference=REFERENCE,
            billing_month=dt.date(2026, 11, 1), units=3400, bill_amount="200000",
            file=ContentFile(scan, name="nov.pdf"),
        )  # fmt: skip

    with pytest.raises(ValidationFailed) as refused:
        november()
    assert f"“nov.pdf” is already uploaded to this application as “{first}”" in refused.value.message
    services.utility_claim_reject(claim=first, actor=officer, reason="The month on the scan is wrong.")
    assert november().state == "submitted"  # a rejected claim's scan may be filed again


def test_the_database_holds_one_claim_per_bill(award, connection, operator_user):
    from django.db import IntegrityError, transaction

    first = claim(connection, operator_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        UtilityClaim.objects.create(
            **{
                f.attname: getattr(first, f.attname)
                for f in UtilityClaim._meta.concrete_fields
                if f.attname not in ("id", "state")
            }
        )


def test_a_future_month_and_a_month_before_the_enrolment_are_refused(award, connection, operator_user):
    with pytest.raises(ValidationFailed) as error:
        claim(connection, operator_user, month=dt.date(2026, 12, 1))
    assert "December 2026 is in the future" in error.value.field_errors["billing_month"][0]
    with pytest.raises(ValidationFailed) as error:
        claim(connection, operator_user, month=dt.date(2026, 6, 1))
    assert "June 2026 is before the enrolment was approved (July 2026)" in error.value.field_errors["billing_month"][0]
    # The month of the decision and the current month are both claimable.
    assert claim(connection, operator_user, month=dt.date(2026, 7, 1)).state == "submitted"
    assert claim(connection, operator_user, month=dt.date(2026, 11, 1)).state == "submitted"


def test_the_company_and_reference_must_be_the_connections(award, connection, operator_user):
    with pytest.raises(ValidationFailed) as error:
        claim(connection, operator_user, disco="GEPCO")
    assert "This connection is with LESCO" in error.value.field_errors["disco"][0]
    with pytest.raises(ValidationFailed) as error:
        claim(connection, operator_user, reference="0411000000000")
    assert "14 digits" in error.value.field_errors["bill_reference"][0]
    with pytest.raises(ValidationFailed) as error:
        claim(connection, operator_user, reference="04110000000099")
    assert "enrolled connection's reference number is 04110000000001" in error.value.field_errors["bill_reference"][0]


def test_k_electric_references_are_13_digits(award, connection, operator_user):
    with pytest.raises(ValidationFailed) as error:
        claim(connection, operator_user, disco="KE", reference="04110000000001")
    assert "KE reference number is 13 digits" in error.value.field_errors["bill_reference"][0]


def test_another_company_may_not_claim_on_the_connection(award, connection, other_operator_user):
    with pytest.raises(PermissionDenied):
        claim(connection, other_operator_user)


def test_no_claim_before_the_award_is_accepted(clock, utility_call, operator, space, operator_user, officer):
    app = to_state(
        complete_utility(utility_call, operator, [space], operator_user),
        "in_review",
        operator_user=operator_user,
        officer=officer,
    )
    ensure_allocation(utility_call.program)
    services.application_approve_delegated(application=app, actor=officer)
    clock.move_to(NOW)
    with pytest.raises(InvalidTransition, match="no accepted award"):
        claim(app.connections.get(), operator_user)


# --- deciding and paying ---------------------------------------------------------------------------


def test_verify_approve_pay_reconcile_and_the_award_records_the_payment(award, connection, operator_user, officer):
    filed = claim(connection, operator_user, amount="250000")
    verified = services.utility_claim_verify(
        claim=filed, actor=officer, eligible_amount="240000", note="PKR 10,000 of arrears from September."
    )
    assert (verified.eligible_amount, verified.subsidy_amount) == (Decimal("240000.00"), Decimal("120000.00"))
    approved = services.utility_claim_approve(claim=verified, actor=officer)
    instruction = payment_for(approved)
    assert instruction.amount == Decimal("120000.00") and instruction.space == connection.space
    assert instruction.application == award.application
    maker, checker = finance_people()
    assert pay_through_finance(approved, maker, checker).state == "reconciled"
    approved.refresh_from_db()
    award.refresh_from_db()
    assert approved.state == "paid" and approved.paid_at is not None
    assert award.paid == Decimal("120000.00")


def test_a_lower_eligible_amount_needs_a_note_and_cannot_exceed_the_bill(award, connection, operator_user, officer):
    filed = claim(connection, operator_user)
    with pytest.raises(ValidationFailed) as error:
        services.utility_claim_verify(claim=filed, actor=officer, eligible_amount="150000")
    assert "note" in error.value.field_errors
    with pytest.raises(ValidationFailed) as error:
        services.utility_claim_verify(claim=filed, actor=officer, eligible_amount="200000.01", note="x")
    assert "at most the bill" in error.value.field_errors["eligible_amount"][0]


def test_approval_beyond_what_the_award_has_left_is_refused_with_the_figures(
    clock, utility_call, operator, space, operator_user, officer
):
    app = to_state(
        complete_utility(utility_call, operator, [space], operator_user),
        "in_review",
        operator_user=operator_user,
        officer=officer,
    )
    ensure_allocation(utility_call.program)
    award = services.application_approve_delegated(application=app, actor=officer, amount=Decimal("200000"))
    services.award_accept(award=award, actor=operator_user)
    clock.move_to(NOW)
    connection = app.connections.get()
    first = services.utility_claim_verify(claim=claim(connection, operator_user, amount="400000"), actor=officer)
    services.utility_claim_approve(claim=first, actor=officer)
    second = services.utility_claim_verify(
        claim=claim(connection, operator_user, month=dt.date(2026, 9, 1), amount="200000"), actor=officer
    )
    with pytest.raises(ValidationFailed) as error:
        services.utility_claim_approve(claim=second, actor=officer)
    assert error.value.messages == [
        f"Award {award.sanction_number} has PKR 50,000 left (PKR 200,000 awarded, PKR 0 paid, PKR 150,000 approved "
        "and waiting for payment); this claim's subsidy of PKR 100,000 does not fit."
    ]
    second.refresh_from_db()
    assert second.state == "verified" and PaymentInstruction.objects.count() == 1
    assert Award.objects.get(pk=award.pk).paid == Decimal("0")


def test_only_officers_not_on_the_companys_staff_decide(award, connection, operator_user, operator):
    from accounts import roles

    from .factories import UserFactory

    filed = claim(connection, operator_user)
    with pytest.raises(PermissionDenied, match="Only a program officer"):
        services.utility_claim_verify(claim=filed, actor=UserFactory(roles=[roles.FINANCE_MAKER]))
    own = UserFactory(roles=[roles.PROGRAM_OFFICER, roles.OPERATOR])
    operator.members.add(own)
    with pytest.raises(PermissionDenied, match="on the staff of"):
        services.utility_claim_verify(claim=filed, actor=own)
    with pytest.raises(PermissionDenied):
        services.utility_claim_reject(claim=filed, actor=operator_user, reason="no")


def test_approving_twice_or_a_rejected_claim_is_refused(award, connection, operator_user, officer):
    filed = claim(connection, operator_user)
    with pytest.raises(InvalidTransition):
        services.utility_claim_approve(claim=filed, actor=officer)  # not verified yet
    verified = services.utility_claim_verify(claim=filed, actor=officer)
    services.utility_claim_approve(claim=verified, actor=officer)
    with pytest.raises(InvalidTransition, match="is approved: with finance for payment"):
        services.utility_claim_approve(claim=verified, actor=officer)
    with pytest.raises(InvalidTransition):
        services.utility_claim_reject(claim=verified, actor=officer, reason="late")
    assert PaymentInstruction.objects.count() == 1


# --- through the portal and the workbench ----------------------------------------------------------


def test_the_operator_files_a_claim_in_the_portal_and_the_officer_decides_it(
    client, award, connection, operator_user, officer, other_operator_user
):
    ref = award.application.reference
    client.force_login(operator_user)
    page = client.get(reverse("grants:portal_application", args=[ref])).content.decode()
    assert reverse("grants:portal_claim_new", args=[ref]) in page
    form = {
        "connection": str(connection.pk),
        "disco": "LESCO",
        "bill_reference": "0411 0000 0000 01",
        "billing_month": "2026-10",
        "units": "3400",
        "bill_amount": "185,400",
    }
    response = client.post(
        reverse("grants:portal_claim_new", args=[ref]),
        {**form, "file": SimpleUploadedFile("bill.pdf", PDF_BYTES, content_type="application/pdf")},
    )
    assert response.status_code == 302
    filed = UtilityClaim.objects.get()
    assert filed.subsidy_amount == Decimal("92700.00")
    # The same bill again: refused on the form.
    response = client.post(
        reverse("grants:portal_claim_new", args=[ref]),
        {**form, "file": SimpleUploadedFile("bill.pdf", PDF_BYTES, content_type="application/pdf")},
    )
    assert response.status_code == 200 and "already claimed" in response.content.decode()
    # A future month: refused on the form.
    response = client.post(
        reverse("grants:portal_claim_new", args=[ref]),
        {
            **form,
            "billing_month": "2027-01",
            "file": SimpleUploadedFile("bill.pdf", PDF_BYTES, content_type="application/pdf"),
        },
    )
    assert "January 2027 is in the future" in response.content.decode()

    client.force_login(other_operator_user)
    assert client.get(reverse("grants:portal_claim_new", args=[ref])).status_code == 404
    assert client.get(reverse("grants:claim_bill_download", args=[ref, filed.pk])).status_code == 404

    client.force_login(officer)
    queue = client.get(reverse("grants:workbench_payments_queue")).content.decode()
    assert reverse("grants:workbench_claim", args=[filed.pk]) in queue and "Filed" in queue
    download = client.get(reverse("grants:claim_bill_download", args=[ref, filed.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    client.post(reverse("grants:workbench_claim_verify", args=[filed.pk]), {"eligible_amount": "", "note": ""})
    client.post(reverse("grants:workbench_claim_approve", args=[filed.pk]))
    filed.refresh_from_db()
    assert filed.state == "approved"

    client.force_login(operator_user)
    page = client.get(reverse("grants:portal_application", args=[ref])).content.decode()
    assert 'data-claim-state="approved"' in page and payment_for(filed).reference in page


def test_after_finance_cancels_a_claims_payment_the_officer_asks_again(award, connection, operator_user, officer):
    from .payments import finance_people

    maker, _checker = finance_people()
    approved = services.utility_claim_approve(
        claim=services.utility_claim_verify(claim=claim(connection, operator_user), actor=officer), actor=officer
    )
    from finance import services as finance

    finance.payment_cancel(instruction=payment_for(approved), actor=maker, reason="Duplicate in the bank file")
    services.utility_claim_pay_again(claim=approved, actor=officer)
    assert payment_for(approved).attempt == 2 and payment_for(approved).state == "requested"
    assert payment_for(approved).space == connection.space


def test_the_claim_form_is_not_offered_before_the_award_is_accepted(
    client, clock, utility_call, operator, space, operator_user, officer
):
    app = to_state(
        complete_utility(utility_call, operator, [space], operator_user),
        "in_review",
        operator_user=operator_user,
        officer=officer,
    )
    client.force_login(operator_user)
    response = client.get(reverse("grants:portal_claim_new", args=[app.reference]))
    assert response.status_code == 302 and response["Location"].endswith(f"/portal/applications/{app.reference}/")
