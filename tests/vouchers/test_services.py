"""Seat vouchers (issue #18): every rule and refusal of the services, the waiting list, lapses, the
proration of the subsidy, and a month's seat claim paid through finance."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from accounts import roles
from audit.models import AuditEvent
from finance import services as finance
from finance.models import PaymentInstruction
from integrity.models import Grievance
from tests.factories import UserFactory
from vouchers.errors import InvalidTransition, PermissionDenied, ValidationFailed
from vouchers.models import Freelancer, SeatClaim, SeatClaimLine, Voucher, VoucherState
from vouchers.rules import seat_subsidy
from vouchers.services.claims import seat_claim_approve, seat_claim_reject, seat_claim_submit, seat_claim_verify
from vouchers.services.vouchers import (
    freelancer_profile_save,
    voucher_apply,
    voucher_approve,
    voucher_confirm_month,
    voucher_end,
    voucher_refuse,
    voucher_report_no_show,
    voucher_report_overcharge,
    voucher_start,
    voucher_withdraw,
    vouchers_approve,
    vouchers_complete_due,
    vouchers_lapse_overdue,
)

from .conftest import at, make_freelancer, make_offer, make_round, operator_staff

V = VoucherState


def apply(user, round_, offer, seat_type="hot_desk"):
    return voucher_apply(actor=user, round=round_, offer=offer, seat_type=seat_type)


# --- the person ---------------------------------------------------------------------------------------


def test_the_cnic_is_kept_only_as_a_keyed_digest_and_masked(now):
    user = make_freelancer(cnic="35202-1234567-3")
    profile = Freelancer.objects.get(user=user)
    assert profile.cnic_masked.endswith("7-3") and "1234567" not in profile.cnic_masked
    assert len(profile.cnic_digest) == 64 and "3520212345673" not in profile.cnic_digest
    # However it was typed, the same number gives the same digest.
    other = UserFactory(roles=[roles.FREELANCER])
    with pytest.raises(ValidationFailed) as refused:
        freelancer_profile_save(
            actor=other,
            cnic="3520212345673",
            date_of_birth=dt.date(1999, 1, 1),
            gender="man",
            domicile="punjab",
            skills="Design",
        )
    assert "already registered to another account" in str(refused.value.field_errors["cnic"][0])


def test_a_malformed_cnic_and_a_future_birthday_are_refused_with_their_field(now):
    user = UserFactory(roles=[roles.FREELANCER])
    with pytest.raises(ValidationFailed) as refused:
        freelancer_profile_save(
            actor=user, cnic="12345", date_of_birth=dt.date(2030, 1, 1), gender="x", domicile="mars", skills=""
        )
    errors = refused.value.field_errors
    assert "13 digits" in str(errors["cnic"][0])
    assert set(errors) == {"cnic", "date_of_birth", "gender", "domicile", "skills"}
    assert not Freelancer.objects.exists()


def test_only_a_freelancer_has_a_profile(now, officer):
    with pytest.raises(PermissionDenied):
        freelancer_profile_save(
            actor=officer,
            cnic="35202-1234567-3",
            date_of_birth=dt.date(1999, 1, 1),
            gender="man",
            domicile="punjab",
            skills="Design",
        )


# --- applying -------------------------------------------------------------------------------------------


def test_a_freelancer_applies_for_a_seat(round_, offer):
    user = make_freelancer()
    voucher = apply(user, round_, offer, "dedicated_desk")
    assert voucher.state == V.APPLIED and voucher.reference.startswith("SV-2026-")
    assert voucher.monthly_fee == Decimal("12000.00") and voucher.division == "Lahore"
    assert AuditEvent.objects.filter(action="voucher.applied", object_id=str(voucher.pk)).exists()


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (dt.date(2009, 6, 1), "Age on 1 November 2026: 17; the round is for ages 18 to 40."),
        (dt.date(1980, 1, 1), "Age on 1 November 2026: 46; the round is for ages 18 to 40."),
    ],
)
def test_an_age_outside_the_round_is_refused_with_the_rule(round_, offer, born, expected):
    user = make_freelancer(born=born)
    with pytest.raises(ValidationFailed) as refused:
        apply(user, round_, offer)
    assert expected in str(refused.value)
    assert not Voucher.objects.exists()


def test_the_age_is_counted_on_the_rounds_day(round_, offer):
    # 40 on the round's day (1 November 2026), 41 the day after: still eligible.
    user = make_freelancer(born=dt.date(1986, 11, 1))
    assert apply(user, round_, offer).state == V.APPLIED


def test_a_domicile_outside_the_round_is_refused(round_, offer):
    user = make_freelancer(domicile="sindh")
    with pytest.raises(ValidationFailed) as refused:
        apply(user, round_, offer)
    assert "Domicile: Sindh; the round accepts Punjab." in str(refused.value)


def test_documents_are_needed_before_applying(round_, offer):
    user = make_freelancer(documents=False, marketplace_url="")
    with pytest.raises(ValidationFailed) as refused:
        apply(user, round_, offer)
    assert "Upload a scan or photo of your CNIC" in str(refused.value)
    assert "Proof of freelancing" in str(refused.value)


def test_students_only_where_the_round_allows(now, offer):
    closed_to_students = make_round(students_allowed=False)
    closed_offer = make_offer(closed_to_students, space=offer.space)
    user = make_freelancer(is_student=True)
    with pytest.raises(ValidationFailed) as refused:
        apply(user, closed_to_students, closed_offer)
    assert "not open to students" in str(refused.value)


def test_a_seat_type_the_round_does_not_cover_is_refused(now):
    round_ = make_round(seat_types=["hot_desk"])
    offer = make_offer(round_)
    with pytest.raises(ValidationFailed) as refused:
        apply(make_freelancer(), round_, offer, "dedicated_desk")
    assert "This round covers only Hot desk." in str(refused.value)


def test_a_closed_round_refuses_applications(now, offer):
    closed = make_round(opens_at=now - dt.timedelta(days=40), closes_at=now - dt.timedelta(days=1))
    closed_offer = make_offer(closed, space=offer.space)
    with pytest.raises(ValidationFailed, match="is not open for applications"):
        apply(make_freelancer(), closed, closed_offer)


def test_one_voucher_per_person_across_the_network(round_, offer):
    user = make_freelancer()
    first = apply(user, round_, offer)
    second_space = make_offer(round_)
    with pytest.raises(ValidationFailed) as refused:
        apply(user, round_, second_space)
    assert f"your CNIC already holds {first.reference}" in str(refused.value)
    # The database holds the rule even for a write that skips the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(
            reference="SV-2026-99999",
            round=round_,
            freelancer=first.freelancer,
            offer=second_space,
            space=second_space.space,
            division="Lahore",
            seat_type="hot_desk",
            monthly_fee=Decimal("8000"),
            cnic_digest=first.cnic_digest,
            applied_at=first.applied_at,
        )


def test_a_refused_voucher_frees_the_person_to_apply_again(round_, offer, officer):
    user = make_freelancer()
    voucher = apply(user, round_, offer)
    with pytest.raises(ValidationFailed):
        voucher_refuse(actor=officer, voucher=voucher, reason="  ")
    voucher_refuse(actor=officer, voucher=voucher, reason="The marketplace profile is someone else's.")
    assert apply(user, round_, offer).state == V.APPLIED


def test_an_operator_cannot_decide_a_voucher(round_, offer):
    voucher = apply(make_freelancer(), round_, offer)
    with pytest.raises(PermissionDenied, match="Only a program officer"):
        voucher_approve(actor=operator_staff(offer), voucher=voucher)


# --- the officer's decisions, the quota and the waiting list ----------------------------------------------


def test_bulk_approval_fills_the_quota_then_the_waiting_list_in_order(now, officer):
    round_ = make_round(quota=2)
    offer = make_offer(round_, seats=5)
    vouchers = []
    for minute in range(4):
        with time_machine.travel(now + dt.timedelta(minutes=minute), tick=False):
            vouchers.append(apply(make_freelancer(), round_, offer))
    decisions = vouchers_approve(actor=officer, vouchers=list(reversed(vouchers)))
    assert [d.outcome for d in decisions] == ["approved", "approved", "waitlisted", "waitlisted"]
    assert [d.voucher.pk for d in decisions] == [v.pk for v in vouchers]  # oldest application first
    assert "number 2 on the waiting list" in decisions[3].message
    first = Voucher.objects.get(pk=vouchers[0].pk)
    # Ten working days after Monday 2 November, skipping the weekends and Iqbal Day (Monday 9 November).
    assert first.start_by == dt.date(2026, 11, 17)


def test_a_lapsed_voucher_is_offered_to_the_first_on_the_waiting_list(now, officer):
    round_ = make_round(quota=1)
    offer = make_offer(round_)
    early = apply(make_freelancer(), round_, offer)
    with time_machine.travel(now + dt.timedelta(minutes=5), tick=False):
        waiting = apply(make_freelancer(), round_, offer)
    vouchers_approve(actor=officer, vouchers=[early, waiting])
    assert Voucher.objects.get(pk=waiting.pk).state == V.WAITLISTED
    with at(dt.date(2026, 11, 18)):
        assert vouchers_lapse_overdue() == 1
        assert vouchers_lapse_overdue() == 0  # idempotent
    early.refresh_from_db()
    waiting.refresh_from_db()
    assert early.state == V.LAPSED and "not started by 17 November 2026" in early.end_note
    assert waiting.state == V.APPROVED and waiting.start_by == dt.date(2026, 12, 2)
    assert AuditEvent.objects.filter(action="voucher.offered", object_id=str(waiting.pk), actor__isnull=True).exists()


def test_a_no_show_needs_the_rounds_working_days_then_lapses(round_, offer, officer):
    voucher = apply(make_freelancer(), round_, offer)
    voucher_approve(actor=officer, voucher=voucher)
    staff = operator_staff(offer)
    with pytest.raises(ValidationFailed, match="after 10 working days"):
        voucher_report_no_show(actor=staff, voucher=voucher)
    with at(dt.date(2026, 11, 16)), pytest.raises(ValidationFailed, match="9 have passed"):
        voucher_report_no_show(actor=staff, voucher=voucher)  # Iqbal Day is not a working day
    with at(dt.date(2026, 11, 17)):
        voucher_report_no_show(actor=staff, voucher=voucher)
    assert Voucher.objects.get(pk=voucher.pk).state == V.LAPSED


def test_the_freelancer_withdraws_before_the_start_and_the_place_is_offered_on(now, officer):
    round_ = make_round(quota=1)
    offer = make_offer(round_)
    holder = make_freelancer()
    first = apply(holder, round_, offer)
    with time_machine.travel(now + dt.timedelta(minutes=1), tick=False):
        second = apply(make_freelancer(), round_, offer)
    vouchers_approve(actor=officer, vouchers=[first, second])
    with pytest.raises(PermissionDenied):
        voucher_withdraw(actor=operator_staff(offer), voucher=first)
    voucher_withdraw(actor=holder, voucher=first)
    assert Voucher.objects.get(pk=second.pk).state == V.APPROVED


# --- the seat -------------------------------------------------------------------------------------------


@pytest.fixture
def approved(round_, offer, officer):
    voucher = apply(make_freelancer(), round_, offer)
    voucher_approve(actor=officer, voucher=voucher)
    voucher.refresh_from_db()
    return voucher


def test_the_start_date_is_refused_before_approval_in_the_future_or_after_the_last_start(approved, offer):
    staff = operator_staff(offer)
    for day, message in [
        (dt.date(2026, 11, 1), "before the voucher's approval on 2 November 2026"),
        (dt.date(2026, 11, 3), "cannot be in the future"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            voucher_start(actor=staff, voucher=approved, start_date=day)
        assert message in str(refused.value.field_errors["start_date"][0])
    approved.round.last_start_date = dt.date(2026, 11, 10)
    approved.round.save()
    with at(dt.date(2026, 11, 12)), pytest.raises(ValidationFailed, match="last start date was 10 November 2026"):
        voucher_start(actor=staff, voucher=approved, start_date=dt.date(2026, 11, 11))


def test_only_the_spaces_operator_records_the_start(approved, round_):
    stranger = operator_staff(make_offer(round_))
    with pytest.raises(PermissionDenied):
        voucher_start(actor=stranger, voucher=approved, start_date=dt.date(2026, 11, 2))
    assert Voucher.objects.get(pk=approved.pk).state == V.APPROVED


def test_the_seat_starts_ends_and_completes(approved, offer):
    staff = operator_staff(offer)
    voucher_start(actor=staff, voucher=approved, start_date=dt.date(2026, 11, 2))
    approved.refresh_from_db()
    assert approved.state == V.ACTIVE and approved.planned_end == dt.date(2027, 5, 1)
    with at(dt.date(2027, 5, 2)):
        assert vouchers_complete_due() == 1
    assert Voucher.objects.get(pk=approved.pk).state == V.COMPLETED


def test_an_ended_seat_keeps_its_reason(approved, offer):
    staff = operator_staff(offer)
    voucher_start(actor=staff, voucher=approved, start_date=dt.date(2026, 11, 2))
    with pytest.raises(ValidationFailed, match="Say why"):
        voucher_end(actor=staff, voucher=approved, ended_on=dt.date(2026, 11, 2), reason="other")
    voucher_end(actor=staff, voucher=approved, ended_on=dt.date(2026, 11, 2), reason="left", note="Moved to Karachi")
    approved.refresh_from_db()
    assert approved.state == V.ENDED and approved.last_day_covered == dt.date(2026, 11, 2)


# --- money -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fee", "days", "in_month", "subsidy", "own"),
    [
        ("8000", 31, 31, "5600.00", "2400.00"),  # 70% of the fee
        ("12000", 30, 30, "7000.00", "5000.00"),  # 70% is 8,400: the cap of 7,000 applies
        ("8000", 15, 31, "2709.68", "1161.29"),  # started on the 17th: 5,600 × 15/31 = 2,709.677… half-up
        ("9999.99", 1, 28, "250.00", "107.14"),  # 6,999.993 × 1/28 = 249.9997…
    ],
)
def test_the_subsidy_is_the_share_capped_and_prorated_to_the_paisa(round_, fee, days, in_month, subsidy, own):
    assert seat_subsidy(round_, Decimal(fee), days, in_month) == (Decimal(subsidy), Decimal(own))


@pytest.fixture
def people(db):
    return {
        "maker": UserFactory(roles=[roles.FINANCE_MAKER]),
        "checker": UserFactory(roles=[roles.FINANCE_CHECKER]),
        "approver": UserFactory(roles=[roles.PROGRAM_OFFICER]),
    }


def started_in_october(round_, offer, officer, start=dt.date(2026, 10, 17)):
    with at(start - dt.timedelta(days=1)):
        voucher = apply(make_freelancer(), round_, offer)
        voucher_approve(actor=officer, voucher=voucher)
    with at(start):
        voucher_start(actor=operator_staff(offer), voucher=voucher, start_date=start)
    voucher.refresh_from_db()
    return voucher


def test_a_months_claim_is_prefilled_prorated_verified_approved_and_paid(now, officer, people):
    round_ = make_round(opens_at=now - dt.timedelta(days=60))
    offer = make_offer(round_)
    late_starter = started_in_october(round_, offer, officer)
    full_month = started_in_october(round_, offer, officer, start=dt.date(2026, 10, 1))
    staff = operator_staff(offer)
    claim = seat_claim_submit(actor=staff, round=round_, space=offer.space, month=dt.date(2026, 10, 5))
    lines = {line.voucher_id: line for line in claim.lines.all()}
    assert lines[late_starter.pk].days_covered == 15 and lines[late_starter.pk].subsidy == Decimal("2709.68")
    assert lines[full_month.pk].subsidy == Decimal("5600.00")
    assert claim.total == Decimal("8309.68") and claim.month == dt.date(2026, 10, 1)

    seat_claim_verify(actor=officer, claim=claim)
    seat_claim_approve(actor=people["approver"], claim=claim)
    instruction = PaymentInstruction.objects.get(idempotency_key=f"vouchers.seatclaim:{claim.pk}")
    assert instruction.amount == Decimal("8309.68") and instruction.space == offer.space
    assert instruction.payee == offer.space.operator
    finance.payment_prepare(instruction=instruction, actor=people["maker"], amount=instruction.amount)
    # Nobody who touched the claim may be the payment's checker.
    with pytest.raises(Exception, match="(?i)touched|worked on|checker"):
        finance.payment_approve(instruction=instruction, actor=officer)
    instruction = finance.payment_approve(instruction=instruction, actor=people["checker"])
    batch = finance.batch_create(actor=people["maker"], value_date=dt.date(2026, 11, 2), instructions=[instruction])
    finance.batch_mark_sent(batch=batch, actor=people["maker"])
    instruction.refresh_from_db()
    finance.payment_mark_paid(instruction=instruction, actor=people["checker"])
    claim.refresh_from_db()
    assert claim.state == SeatClaim.State.PAID and claim.paid_at is not None


def test_claims_refuse_a_month_not_over_a_seat_not_active_a_higher_fee_and_a_second_claim(now, officer):
    round_ = make_round(opens_at=now - dt.timedelta(days=60))
    offer = make_offer(round_)
    voucher = started_in_october(round_, offer, officer)
    staff = operator_staff(offer)
    with pytest.raises(ValidationFailed, match="once it is over"):
        seat_claim_submit(actor=staff, round=round_, space=offer.space, month=dt.date(2026, 11, 1))
    with pytest.raises(ValidationFailed) as refused:
        seat_claim_submit(actor=staff, round=round_, space=offer.space, month=dt.date(2026, 9, 1))
    assert "No voucher seat of" in str(refused.value)
    with pytest.raises(ValidationFailed) as refused:
        seat_claim_submit(
            actor=staff, round=round_, space=offer.space, month=dt.date(2026, 10, 1), fees={"SV-2026-12345": "8000"}
        )
    assert "Seat SV-2026-12345 was not active" in str(refused.value)
    with pytest.raises(ValidationFailed) as refused:
        seat_claim_submit(
            actor=staff, round=round_, space=offer.space, month=dt.date(2026, 10, 1), fees={voucher.reference: "9,000"}
        )
    assert f"Seat {voucher.reference}: the fee charged, PKR 9,000.00, is more than" in str(refused.value)
    # A lower fee (a discount) is claimed as charged.
    claim = seat_claim_submit(
        actor=staff, round=round_, space=offer.space, month=dt.date(2026, 10, 1), fees={voucher.reference: "6,000"}
    )
    assert claim.total == Decimal("2032.26")  # 4,200 × 15/31
    with pytest.raises(ValidationFailed, match="already claimed"):
        seat_claim_submit(actor=staff, round=round_, space=offer.space, month=dt.date(2026, 10, 1))
    # Rejected, the month may be claimed again.
    seat_claim_reject(actor=officer, claim=claim, reason="The fee on the receipt is different.")
    assert not SeatClaimLine.objects.filter(live=True).exists()
    again = seat_claim_submit(actor=staff, round=round_, space=offer.space, month=dt.date(2026, 10, 1))
    assert again.total == Decimal("2709.68")


def test_another_operator_cannot_claim_for_the_space(now, officer):
    round_ = make_round(opens_at=now - dt.timedelta(days=60))
    offer = make_offer(round_)
    started_in_october(round_, offer, officer)
    stranger = operator_staff(make_offer(round_))
    with pytest.raises(PermissionDenied):
        seat_claim_submit(actor=stranger, round=round_, space=offer.space, month=dt.date(2026, 10, 1))
    assert not SeatClaim.objects.exists()


# --- the freelancer month by month ----------------------------------------------------------------------


def test_two_no_answers_flag_the_seat_to_the_officers(now, officer, django_capture_on_commit_callbacks):
    round_ = make_round(opens_at=now - dt.timedelta(days=60))
    offer = make_offer(round_)
    voucher = started_in_october(round_, offer, officer, start=dt.date(2026, 10, 1))
    holder = voucher.freelancer.user
    voucher_confirm_month(actor=holder, voucher=voucher, month=dt.date(2026, 10, 1), used=False)
    with pytest.raises(ValidationFailed, match="already answered"):
        voucher_confirm_month(actor=holder, voucher=voucher, month=dt.date(2026, 10, 1), used=True)
    with pytest.raises(ValidationFailed, match="Choose a month"):
        voucher_confirm_month(actor=holder, voucher=voucher, month=dt.date(2026, 12, 1), used=True)
    assert Voucher.objects.get(pk=voucher.pk).flagged_at is None
    with django_capture_on_commit_callbacks(execute=True):
        voucher_confirm_month(actor=holder, voucher=voucher, month=dt.date(2026, 11, 1), used=False)
    assert Voucher.objects.get(pk=voucher.pk).flagged_at is not None
    assert officer.notifications.filter(subject__contains="flagged").exists()


def test_someone_else_cannot_answer_for_the_holder(now, officer):
    round_ = make_round(opens_at=now - dt.timedelta(days=60))
    offer = make_offer(round_)
    voucher = started_in_october(round_, offer, officer)
    with pytest.raises(PermissionDenied):
        voucher_confirm_month(actor=make_freelancer(), voucher=voucher, month=dt.date(2026, 10, 1), used=True)


def test_an_overcharge_report_opens_a_grievance_about_the_operator(now, officer):
    round_ = make_round(opens_at=now - dt.timedelta(days=60))
    offer = make_offer(round_)
    voucher = started_in_october(round_, offer, officer)
    grievance = voucher_report_overcharge(
        actor=voucher.freelancer.user, voucher=voucher, charged="5,000", what_happened="Asked for 5,000 in cash."
    )
    assert grievance.category == Grievance.Category.OVERCHARGE
    assert grievance.operator == offer.space.operator and grievance.filed_by == voucher.freelancer.user
    assert "their share is PKR 2,400.00" in grievance.what_happened
    with pytest.raises(PermissionDenied):
        voucher_report_overcharge(actor=make_freelancer(), voucher=voucher, charged="5000", what_happened="x")


def test_a_transition_someone_may_not_make_is_refused_and_changes_nothing(round_, offer, officer):
    voucher = apply(make_freelancer(), round_, offer)
    with pytest.raises(InvalidTransition):
        voucher_start(actor=operator_staff(offer), voucher=voucher, start_date=dt.date(2026, 11, 2))
    assert Voucher.objects.get(pk=voucher.pk).state == V.APPLIED
