"""Review and decision: who may review, what reviewers see, the arithmetic of scores, quorum, who
decides, the budget ledger, the award and its letter."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from audit.models import AuditEvent
from core.dates import show_date
from grants import services
from grants.errors import InvalidTransition, PermissionDenied, ValidationFailed
from grants.models import (
    Application,
    Award,
    BudgetAllocation,
    BudgetCommitment,
    ConflictOfInterest,
    Decision,
    Review,
)
from grants.scoring import mean_score, weighted_score
from grants.words import amount_in_words, number_in_words
from notifications.models import Notification

from .conftest import (
    SCORES,
    board_meeting,
    complete_grant,
    decide,
    ensure_allocation,
    make_reviewers,
    review_fully,
    to_state,
)
from .factories import OperatorFactory, SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(grant_call, operator, space, operator_user, officer):
    return to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "in_review",
        operator_user=operator_user,
        officer=officer,
    )


@pytest.fixture
def recommended(in_review, officer):
    return review_fully(in_review, officer=officer)


# --- assignment ------------------------------------------------------------------------------------


def test_assignment_refuses_applicant_member_conflicted_and_non_reviewers_with_reasons(
    in_review, officer, operator, operator_user
):
    member_reviewer = UserFactory(roles=[roles.BOARD_REVIEWER], full_name="Zara Member")
    operator.members.add(member_reviewer)
    conflicted = UserFactory(roles=[roles.BOARD_REVIEWER], full_name="Omar Cousin")
    ConflictOfInterest.objects.create(
        reviewer=conflicted, operator=operator, reason="My cousin is a director.", declared_at=timezone.now()
    )
    not_a_reviewer = UserFactory(roles=[roles.FINANCE_MAKER], full_name="Faisal Finance")
    operator_user.groups.add(*UserFactory(roles=[roles.BOARD_REVIEWER]).groups.all())
    operator_user._role_cache = None
    fine = make_reviewers(1)[0]

    with pytest.raises(ValidationFailed) as refusal:
        services.review_assign(
            application=in_review,
            actor=officer,
            reviewers=[operator_user, member_reviewer, conflicted, not_a_reviewer, fine],
        )
    messages = refusal.value.field_errors["reviewers"]
    assert f"{operator_user.full_name} is the applicant." in messages
    assert "Zara Member works for Indus Hub Coworking (Pvt.) Ltd., the applying company." in messages
    assert (
        "Omar Cousin has declared a conflict of interest with the applying company (Indus Hub Coworking (Pvt.) Ltd.)."
        in messages
    )
    assert "Faisal Finance is not a board reviewer." in messages
    assert len(messages) == 4
    assert not Review.objects.exists()


def test_assignment_needs_the_programs_minimum(in_review, officer):
    with pytest.raises(ValidationFailed) as refusal:
        services.review_assign(application=in_review, actor=officer, reviewers=make_reviewers(1))
    assert refusal.value.field_errors["reviewers"] == [
        "Growth Grant needs at least 2 reviewers per application; with your choice it would have 1. Choose 1 more."
    ]
    reviews = services.review_assign(application=in_review, actor=officer, reviewers=make_reviewers(2))
    assert [r.state for r in reviews] == ["assigned", "assigned"]
    assert in_review.call.program.rubric.count() == 5  # the standard rubric, created on first assignment
    event = AuditEvent.objects.get(action="application.assign_reviewers")
    assert event.data["reviewers"] == [r.reviewer_id for r in reviews]
    for review in reviews:
        assert Notification.objects.filter(recipient=review.reviewer, subject__startswith="Please review").exists()


def test_assignment_only_by_officers_and_only_in_review(grant_call, operator, space, operator_user, officer, chair):
    app = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "screening",
        operator_user=operator_user,
        officer=officer,
    )
    with pytest.raises(InvalidTransition):
        services.review_assign(application=app, actor=officer, reviewers=make_reviewers(2))
    with pytest.raises(PermissionDenied):
        services.review_assign(application=app, actor=chair, reviewers=make_reviewers(2))


def test_suggestions_lightest_load_first_and_refusals_listed(in_review, officer, operator, client):
    busy, idle, medium = make_reviewers(3)
    busy.full_name, idle.full_name, medium.full_name = "Busy Bee", "Idle Ibrahim", "Medium Maryam"
    for user in (busy, idle, medium):
        user.save()
    # Load elsewhere: busy has two open reviews, medium one.
    other_operator = OperatorFactory()
    other_user = UserFactory(roles=[roles.OPERATOR])
    other_operator.members.add(other_user)
    for reviewers in ([busy, medium], [busy, UserFactory(roles=[roles.BOARD_REVIEWER])]):
        other = to_state(
            complete_grant(in_review.call, other_operator, SpaceFactory(operator=other_operator), other_user),
            "in_review",
            operator_user=other_user,
            officer=officer,
        )
        services.review_assign(application=other, actor=officer, reviewers=reviewers)
    ConflictOfInterest.objects.create(
        reviewer=medium, operator=operator, reason="Landlord.", declared_at=timezone.now()
    )

    from grants.selectors import reviewer_candidates

    candidates = reviewer_candidates(in_review)
    eligible = [(c.user.full_name, c.load) for c in candidates if c.refusal is None]
    assert eligible[0] == ("Idle Ibrahim", 0)
    assert ("Busy Bee", 2) in eligible and eligible.index(("Busy Bee", 2)) == len(eligible) - 1
    assert [c.refusal for c in candidates if c.refusal] == [
        "Medium Maryam has declared a conflict of interest with the applying company (Indus Hub Coworking (Pvt.) Ltd.)."
    ]

    client.force_login(officer)
    page = client.get(reverse("grants:workbench_assign_reviewers", args=[in_review.reference])).content.decode()
    assert page.index("Idle Ibrahim — 0 reviews open") < page.index("Busy Bee — 2 reviews open")
    assert "Medium Maryam has declared a conflict of interest" in page
    response = client.post(
        reverse("grants:workbench_assign_reviewers", args=[in_review.reference]),
        {"reviewers": [str(idle.pk), str(busy.pk)]},
    )
    assert response.status_code == 302
    assert set(in_review.reviews.values_list("reviewer__full_name", flat=True)) == {"Idle Ibrahim", "Busy Bee"}


# --- declaring and reviewing -----------------------------------------------------------------------


def test_conflict_removes_the_reviewer_tells_officers_and_blocks_reassignment(in_review, officer, operator):
    first, second = make_reviewers(2)
    reviews = services.review_assign(application=in_review, actor=officer, reviewers=[first, second])
    with pytest.raises(ValidationFailed):
        services.review_declare(review=reviews[0], actor=first, conflict=True, reason="  ")
    review = services.review_declare(review=reviews[0], actor=first, conflict=True, reason="I advise the company.")
    assert review.state == "conflicted"
    assert ConflictOfInterest.objects.get(reviewer=first, operator=operator).reason == "I advise the company."
    note = Notification.objects.get(recipient=officer, subject__startswith="Reviewer conflict")
    assert "I advise the company." in note.body
    with pytest.raises(ValidationFailed) as refusal:
        services.review_assign(application=in_review, actor=officer, reviewers=[first])
    assert "already assigned" in refusal.value.message
    # Only the reviewer declares, once.
    with pytest.raises(PermissionDenied):
        services.review_declare(review=reviews[1], actor=first, conflict=False)
    services.review_declare(review=reviews[1], actor=second, conflict=False)
    with pytest.raises(InvalidTransition):
        services.review_declare(review=reviews[1], actor=second, conflict=False)


def test_scores_are_checked_and_the_weighted_score_is_exact(in_review, officer):
    reviewer = make_reviewers(2)
    reviews = services.review_assign(application=in_review, actor=officer, reviewers=reviewer)
    review = services.review_declare(review=reviews[0], actor=reviewer[0], conflict=False)
    with pytest.raises(ValidationFailed) as refusal:
        services.review_submit(
            review=review,
            actor=reviewer[0],
            scores={**SCORES, "need": 6, "feasibility": "4.5"},
            recommendation="approve_with_conditions",
            comments="",
        )
    assert refusal.value.field_errors == {
        "score_need": ["Score “Need” with a whole number from 1 to 5."],
        "score_feasibility": ["Score “Feasibility” with a whole number from 1 to 5."],
        "comments": ["Enter your comments."],
        "conditions": ["Enter the conditions."],
    }
    # need 4×25, feasibility 4×25, reach 3×20, women 5×15, value 4×15 = 395 / 100 = 3.95
    review = services.review_submit(
        review=review, actor=reviewer[0], scores=SCORES, recommendation="approve", comments="Good."
    )
    assert review.weighted_score == Decimal("3.95")
    assert {s.criterion.code: (s.score, s.weight) for s in review.scores.all()}["need"] == (4, Decimal("25.00"))
    assert Application.objects.get(pk=in_review.pk).state == "in_review"  # one review still out


def test_weighted_score_arithmetic():
    assert weighted_score([(5, Decimal("30")), (3, Decimal("20")), (1, Decimal("10"))]) == Decimal("3.67")  # 220/60
    assert weighted_score([(4, Decimal("1")), (5, Decimal("2"))]) == Decimal("4.67")  # 14/3
    assert weighted_score([(2, Decimal("0.5")), (3, Decimal("0.5"))]) == Decimal("2.50")
    assert weighted_score([(3, Decimal("33.33"))] * 3) == Decimal("3.00")
    assert mean_score([Decimal("3.95"), Decimal("4.00")]) == Decimal("3.98")  # 3.975 rounds half up
    assert mean_score([]) is None
    with pytest.raises(ValueError):
        weighted_score([])


def test_last_review_makes_the_application_recommended(in_review, officer, chair):
    app = review_fully(in_review, officer=officer)
    assert app.state == "recommended"
    event = AuditEvent.objects.get(action="application.recommend", object_id=str(app.pk))
    assert event.actor_id is None and event.data["score"] == "3.95" and event.data["reviews"] == 2
    assert Notification.objects.filter(recipient=chair, subject=f"Application {app.reference} is on the board agenda")
    from grants.selectors import board_agenda

    assert [(row.reference, row.score) for row in board_agenda()] == [(app.reference, Decimal("3.95"))]


def test_reviewer_isolation(client, in_review, officer, grant_call, other_operator, other_space, other_operator_user):
    first, second = make_reviewers(2)
    reviews = services.review_assign(application=in_review, actor=officer, reviewers=[first, second])
    unassigned = to_state(
        complete_grant(grant_call, other_operator, other_space, other_operator_user),
        "in_review",
        operator_user=other_operator_user,
        officer=officer,
    )
    client.force_login(first)
    # Not assigned: the case does not exist for them, on every review URL and for documents.
    for name in ("workbench_review", "workbench_review_declare", "workbench_review_submit"):
        answers = {
            client.get(reverse(f"grants:{name}", args=[unassigned.reference])).status_code,
            client.post(reverse(f"grants:{name}", args=[unassigned.reference]), {"conflict": "no"}).status_code,
        }
        assert 404 in answers and answers <= {404, 405}
    document = unassigned.documents.first()
    assert client.get(reverse("grants:document_download", args=[unassigned.reference, document.pk])).status_code == 404
    queue = client.get(reverse("grants:workbench_reviews")).content.decode()
    assert in_review.reference in queue and unassigned.reference not in queue

    # Assigned, before declaring: the declaration only, no detail of the application.
    page = client.get(reverse("grants:workbench_review", args=[in_review.reference])).content.decode()
    assert "Do you have a conflict of interest" in page
    assert "Forty more seats and solar backup" not in page
    own_document = in_review.documents.first()
    assert (
        client.get(reverse("grants:document_download", args=[in_review.reference, own_document.pk])).status_code == 404
    )

    # The second reviewer submits; the first declares: the first cannot see the second's scores yet.
    services.review_declare(review=reviews[1], actor=second, conflict=False)
    services.review_submit(
        review=reviews[1],
        actor=second,
        scores={**SCORES, "need": 1},
        recommendation="reject",
        comments="SECOND-REVIEWER-SECRET",
    )
    client.post(reverse("grants:workbench_review_declare", args=[in_review.reference]), {"conflict": "no"})
    page = client.get(reverse("grants:workbench_review", args=[in_review.reference])).content.decode()
    assert "Forty more seats and solar backup" in page  # now the application is open to them
    assert "SECOND-REVIEWER-SECRET" not in page and second.full_name not in page
    assert (
        client.get(reverse("grants:document_download", args=[in_review.reference, own_document.pk])).status_code == 200
    )

    # After submitting their own, they see the other's.
    data = {f"score_{code}": str(score) for code, score in SCORES.items()}
    data.update({"recommendation": "approve", "comments": "FIRST-REVIEWER-VIEW"})
    response = client.post(reverse("grants:workbench_review_submit", args=[in_review.reference]), data)
    assert response.status_code == 302
    page = client.get(reverse("grants:workbench_review", args=[in_review.reference])).content.decode()
    assert "SECOND-REVIEWER-SECRET" in page and "FIRST-REVIEWER-VIEW" in page

    # Other staff roles are kept out of the reviewer pages.
    client.force_login(officer)
    assert client.get(reverse("grants:workbench_reviews")).status_code == 403


def test_a_review_in_progress_is_never_shown_to_another_reviewer(in_review, officer):
    from grants.selectors import reviews_shown_to_reviewer

    first, second = make_reviewers(2)
    reviews = services.review_assign(application=in_review, actor=officer, reviewers=[first, second])
    for review in reviews:
        services.review_declare(review=review, actor=review.reviewer, conflict=False)
    services.review_submit(review=reviews[0], actor=first, scores=SCORES, recommendation="approve", comments="x")
    assert reviews_shown_to_reviewer(Review.objects.get(pk=reviews[1].pk)) == []
    assert reviews_shown_to_reviewer(Review.objects.get(pk=reviews[0].pk)) == []  # the second is not submitted


# --- the board -------------------------------------------------------------------------------------


def test_quorum_refused_saying_how_many_are_missing(recommended, chair, operator):
    ensure_allocation(recommended.call.program)
    thin = board_meeting(chair, members=1)  # chair + 1 = 2 of 3
    with pytest.raises(ValidationFailed) as refusal:
        services.board_decision_record(
            meeting=thin,
            application=recommended,
            actor=chair,
            outcome="approve",
            votes_for=2,
            votes_against=0,
            votes_abstain=0,
        )
    assert refusal.value.message == (
        f"No quorum: Growth Grant needs 3 board members present without a conflict of interest; the meeting of "
        f"{show_date(thin.held_on)} had 2, so 1 more are needed."
    )
    # A member with a declared conflict with the company does not count towards the quorum.
    meeting = board_meeting(chair, members=2)
    conflicted = meeting.members_present.exclude(pk=chair.pk).first()
    ConflictOfInterest.objects.create(
        reviewer=conflicted, operator=operator, reason="Tenant.", declared_at=timezone.now()
    )
    with pytest.raises(ValidationFailed) as refusal:
        services.board_decision_record(
            meeting=meeting,
            application=recommended,
            actor=chair,
            outcome="approve",
            votes_for=2,
            votes_against=0,
            votes_abstain=0,
        )
    assert "had 2, so 1 more are needed" in refusal.value.message
    assert not Decision.objects.exists()
    assert Application.objects.get(pk=recommended.pk).state == "recommended"


def test_votes_and_outcome_rules(recommended, chair):
    ensure_allocation(recommended.call.program)
    meeting = board_meeting(chair)

    def record(**kwargs):
        args = {"votes_for": 2, "votes_against": 1, "votes_abstain": 0, "outcome": "approve"} | kwargs
        return services.board_decision_record(meeting=meeting, application=recommended, actor=chair, **args)

    with pytest.raises(ValidationFailed, match="4 votes were recorded but only 3 members could vote"):
        record(votes_for=3, votes_against=1)
    with pytest.raises(ValidationFailed, match="An approval needs more votes for than against"):
        record(votes_for=1, votes_against=1)
    with pytest.raises(ValidationFailed, match="at most the amount asked for, PKR 4,000,000"):
        record(amount="4,000,001")
    with pytest.raises(ValidationFailed, match="Enter the conditions"):
        record(outcome="approve_with_conditions")
    with pytest.raises(ValidationFailed, match="Enter the reasons"):
        record(outcome="reject", votes_for=0, votes_against=3)
    with pytest.raises(ValidationFailed, match="A majority voted for"):
        record(outcome="reject", reasons="No.")
    deferral = record(outcome="defer", votes_for=1, votes_against=1, votes_abstain=1, reasons="Lease unclear.")
    assert deferral.outcome == "defer"
    assert Application.objects.get(pk=recommended.pk).state == "recommended"
    decision = record(
        outcome="approve_with_conditions", amount="3,500,000", conditions="Solar first.\nWomen-only hours."
    )
    award = Award.objects.get(decision=decision)
    assert award.amount == Decimal("3500000") and award.conditions == "Solar first.\nWomen-only hours."
    assert Application.objects.get(pk=recommended.pk).state == "approved"


def test_only_the_chair_records_decisions_and_meetings(recommended, chair, officer, operator_user):
    ensure_allocation(recommended.call.program)
    meeting = board_meeting(chair)
    reviewer = recommended.reviews.first().reviewer
    for person in (officer, reviewer, operator_user, UserFactory(roles=[roles.MINISTRY_VIEWER])):
        with pytest.raises(PermissionDenied) as refusal:
            services.board_decision_record(
                meeting=meeting,
                application=recommended,
                actor=person,
                outcome="approve",
                votes_for=3,
                votes_against=0,
                votes_abstain=0,
            )
        assert refusal.value.message == "Only the board chair records board decisions."
        with pytest.raises(PermissionDenied):
            services.board_meeting_record(actor=person, held_on=timezone.localdate(), members_present=[])
    assert Application.objects.get(pk=recommended.pk).state == "recommended"


def test_meeting_in_the_future_or_with_strangers_refused(chair, officer):
    import datetime as dt

    with pytest.raises(ValidationFailed) as refusal:
        services.board_meeting_record(
            actor=chair, held_on=timezone.localdate() + dt.timedelta(days=1), members_present=[officer]
        )
    assert set(refusal.value.field_errors) == {"held_on", "members_present"}


def test_rejection_sends_the_reasons_to_the_operator(recommended, chair, operator_user):
    decide(recommended, chair, "reject", reasons="The district already has two subsidised spaces.")
    app = Application.objects.get(pk=recommended.pk)
    assert (app.state, app.closing_reason) == ("rejected", "The district already has two subsidised spaces.")
    note = Notification.objects.get(recipient=operator_user, subject=f"Decision on application {app.reference}")
    assert "The district already has two subsidised spaces." in note.body
    assert not BudgetCommitment.objects.exists()


# --- the budget ------------------------------------------------------------------------------------


def _recommended_grants(n, call, officer, amount):
    apps = []
    for _i in range(n):
        user = UserFactory(roles=[roles.OPERATOR])
        company = OperatorFactory(members=[user])
        app = to_state(
            complete_grant(call, company, SpaceFactory(operator=company), user, amount=amount),
            "in_review",
            operator_user=user,
            officer=officer,
        )
        apps.append(review_fully(app, officer=officer))
    return apps


def test_budget_exhausted_refusal_says_by_how_much(grant_call, officer, chair):
    allocation = ensure_allocation(grant_call.program, amount=Decimal("10234567"))
    meeting = board_meeting(chair)
    apps = _recommended_grants(3, grant_call, officer, Decimal("4000000"))
    for app in apps[:2]:
        decide(app, chair, meeting=meeting)
    allocation.refresh_from_db()
    assert allocation.committed == Decimal("8000000")
    with pytest.raises(ValidationFailed) as refusal:
        decide(apps[2], chair, meeting=meeting)
    assert refusal.value.message == (
        f"Not enough budget: Growth Grant has PKR 2,234,567 left of PKR 10,234,567 for {allocation.fiscal_year_label}; "
        "approving PKR 4,000,000 needs PKR 1,765,433 more."
    )
    assert Application.objects.get(pk=apps[2].pk).state == "recommended"
    assert not Decision.objects.filter(application=apps[2]).exists()  # the whole decision rolled back
    # A smaller amount that fits is approved, to the rupee.
    decide(apps[2], chair, meeting=meeting, amount="2,234,567")
    allocation.refresh_from_db()
    assert allocation.committed == allocation.amount
    assert sum(BudgetCommitment.objects.values_list("amount", flat=True)) == allocation.committed


def test_no_allocation_for_the_fiscal_year(recommended, chair):
    BudgetAllocation.objects.filter(program=recommended.call.program).delete()
    meeting = board_meeting(chair)
    with pytest.raises(ValidationFailed, match="has no budget allocation for FY"):
        services.board_decision_record(
            meeting=meeting,
            application=recommended,
            actor=chair,
            outcome="approve",
            votes_for=3,
            votes_against=0,
            votes_abstain=0,
        )


def test_ledger_is_append_only_and_reversals_restore_the_budget(recommended, chair, officer):
    decide(recommended, chair)
    commitment = BudgetCommitment.objects.get()
    with pytest.raises(ValueError, match="append-only"):
        commitment.save()
    with pytest.raises(ValueError, match="append-only"):
        commitment.delete()
    with pytest.raises(PermissionDenied):
        services.budget_commitment_reverse(commitment=commitment, actor=chair, reason="Declined")
    reversal = services.budget_commitment_reverse(commitment=commitment, actor=officer, reason="Award declined.")
    assert reversal.amount == -commitment.amount and reversal.reverses == commitment
    allocation = BudgetAllocation.objects.get(pk=commitment.allocation_id)
    assert allocation.committed == 0
    with pytest.raises(InvalidTransition):
        services.budget_commitment_reverse(commitment=commitment, actor=officer, reason="Again")


def test_database_refuses_committed_over_allocated(grant_call):
    from django.db import IntegrityError, transaction

    allocation = ensure_allocation(grant_call.program, amount=Decimal("100"))
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetAllocation.objects.filter(pk=allocation.pk).update(committed=Decimal("100.01"))


def test_budget_page_for_officers_and_ministry(client, recommended, chair, officer, operator_user):
    decide(recommended, chair)
    allocation = BudgetAllocation.objects.get(program=recommended.call.program)
    for person in (officer, UserFactory(roles=[roles.MINISTRY_VIEWER])):
        client.force_login(person)
        page = client.get(reverse("grants:workbench_budget")).content.decode()
        assert "Growth Grant" in page
        assert "PKR 100,000,000" in page and "PKR 4,000,000" in page and "PKR 96,000,000" in page
        assert client.get(reverse("grants:workbench_budget"), {"fy": allocation.fiscal_year_label}).status_code == 200
    client.force_login(operator_user)
    assert client.get(reverse("grants:workbench_budget")).status_code == 403


# --- the award -------------------------------------------------------------------------------------


def test_award_letter_pdf_and_verification(client, recommended, chair, operator_user, other_operator_user):
    from pypdf import PdfReader

    decide(recommended, chair, amount="1,234,567")
    award = Award.objects.get()
    assert award.sanction_number == f"SAN-GR-{timezone.localdate().year}-00001"
    assert award.state == "award_offered"

    client.force_login(operator_user)
    response = client.get(reverse("grants:portal_award_letter", args=[recommended.reference]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert award.sanction_number in text
    assert "PKR 1,234,567" in text
    assert "Rupees twelve lakh thirty-four thousand five hundred and sixty-seven only" in text
    assert award.verification_code in text

    client.logout()
    page = client.get(reverse("grants:verify_award", args=[award.verification_code]))
    assert page.status_code == 200
    body = page.content.decode()
    assert award.sanction_number in body and "PKR 1,234,567" in body and "Indus Hub Coworking" in body
    assert (
        client.get(reverse("grants:verify_award", args=[award.verification_code.lower().replace("-", "")])).status_code
        == 200
    )
    assert client.get(reverse("grants:verify_award", args=["ABCD-EFGH-JKMN"])).status_code == 404
    assert client.get(reverse("grants:verify_award", args=["nonsense"])).status_code == 404

    client.force_login(other_operator_user)
    assert client.get(reverse("grants:portal_award_letter", args=[recommended.reference])).status_code == 404


def test_operator_accepts_the_award(client, recommended, chair, officer, operator_user, other_operator_user):
    decide(recommended, chair)
    award = Award.objects.get()
    url = reverse("grants:portal_award_accept", args=[recommended.reference])
    client.force_login(other_operator_user)
    assert client.post(url).status_code == 404
    client.force_login(operator_user)
    page = client.get(reverse("grants:portal_application", args=[recommended.reference])).content.decode()
    assert "Accept the award" in page and award.sanction_number in page
    assert client.post(url).status_code == 302
    award.refresh_from_db()
    assert (award.state, award.accepted_by) == ("award_accepted", operator_user)
    assert Notification.objects.filter(recipient=officer, subject=f"Award {award.sanction_number} accepted").exists()
    with pytest.raises(InvalidTransition):
        services.award_accept(award=award, actor=operator_user)
    with pytest.raises(PermissionDenied):
        services.award_accept(award=award, actor=officer)


def test_chair_records_meeting_and_decision_through_the_pages(client, recommended, chair, operator_user):
    ensure_allocation(recommended.call.program)
    members = make_reviewers(2)
    client.force_login(chair)
    agenda = client.get(reverse("grants:workbench_board_agenda")).content.decode()
    assert recommended.reference in agenda and "3.95" in agenda
    response = client.post(
        reverse("grants:workbench_board_meeting_new"),
        {"held_on": timezone.localdate().isoformat(), "members_present": [str(m.pk) for m in members]},
    )
    assert response.status_code == 302
    meeting_url = response["Location"]
    decide_url = reverse(
        "grants:workbench_board_decision", args=[int(meeting_url.rstrip("/").split("/")[-1]), recommended.reference]
    )
    response = client.post(
        decide_url, {"outcome": "approve", "votes_for": "3", "votes_against": "0", "votes_abstain": "0", "amount": ""}
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=recommended.pk).state == "approved"
    assert Award.objects.get().amount == Decimal("4000000")
    assert "Approve" in client.get(meeting_url).content.decode()


# --- amounts in words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zero"),
        (15, "fifteen"),
        (101, "one hundred and one"),
        (1001, "one thousand and one"),
        (100000, "one lakh"),
        (250000, "two lakh fifty thousand"),
        (1234567, "twelve lakh thirty-four thousand five hundred and sixty-seven"),
        (10000000, "one crore"),
        (123456789, "twelve crore thirty-four lakh fifty-six thousand seven hundred and eighty-nine"),
        (1000000000, "one hundred crore"),
    ],
)
def test_number_in_words(number, words):
    assert number_in_words(number) == words


def test_amount_in_words_with_paisa():
    assert amount_in_words(Decimal("4000000")) == "Rupees forty lakh only"
    assert amount_in_words(Decimal("1500.50")) == "Rupees one thousand five hundred and paisa fifty only"
    with pytest.raises(ValueError):
        amount_in_words(Decimal("-1"))


def test_officer_application_page_shows_reviews_and_delegated_approval(
    client, recommended, officer, utility_call, operator, space, operator_user
):
    client.force_login(officer)
    page = client.get(reverse("grants:workbench_application", args=[recommended.reference])).content.decode()
    assert "Review and decision" in page and "3.95" in page and "on the board agenda" in page
    assert "Approve within your delegated limit" not in page  # a grant goes to the board

    from .conftest import complete_utility

    ensure_allocation(utility_call.program)
    enrolment = to_state(
        complete_utility(utility_call, operator, [space], operator_user),
        "in_review",
        operator_user=operator_user,
        officer=officer,
    )
    url = reverse("grants:workbench_application", args=[enrolment.reference])
    assert "Approve within your delegated limit" in client.get(url).content.decode()
    response = client.post(
        reverse("grants:workbench_approve_delegated", args=[enrolment.reference]), {"amount": "", "conditions": ""}
    )
    assert response.status_code == 302
    award = Award.objects.get(application=enrolment)
    assert award.amount == enrolment.amount_requested and award.decision.delegated
    assert award.sanction_number.startswith("SAN-US-")
