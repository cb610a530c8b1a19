"""The retaliation guard (issue #15): while a company's grievance naming an official is open, that
official's adverse acts on the company's cases (screening out, a reject recommendation, a utility
claim rejected, tranche evidence returned) are not theirs alone. The named official is refused and
nothing moves; another officer takes the act; once the grievance is resolved or closed the official
acts again; their other acts, and officials named by another company, are not affected. The
integrity desk's flagged page lists the adverse acts taken on the company's cases since."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts import roles
from audit.models import AuditEvent
from grants import services
from grants.errors import PermissionDenied
from grants.models import Application, CriterionScore, Tranche, UtilityClaim
from integrity.models import Grievance
from integrity.services import grievances as integrity_services
from tests.integrity.grievance_fixtures import to_state as grievance_to_state

from .conftest import SCORES, complete_grant, complete_utility, fresh_pdf, make_reviewers, to_state
from .factories import UserFactory
from .payments import accepted_enrolment, accepted_grant, request_tranche

pytestmark = pytest.mark.django_db

KHI = ZoneInfo("Asia/Karachi")
SECOND_OFFICER = (
    "This decision on this company's case needs a second officer at present (integrity rule); "
    "ask another program officer to take it."
)
SECOND_REVIEWER = "needs a second reviewer at present (integrity rule)"


# --- people and grievances --------------------------------------------------------------------------


@pytest.fixture
def second_officer(db):
    return UserFactory(roles=[roles.PROGRAM_OFFICER], email="second@pitb.example.pk", full_name="Nadia Rauf")


@pytest.fixture
def integrity_officer(db):
    return UserFactory(roles=[roles.INTEGRITY_OFFICER], email="sana@pitb.example.pk", full_name="Sana Javed")


def grievance_naming(official, filer) -> Grievance:
    """The filer's company files a grievance naming `official`, from the portal."""
    return integrity_services.grievance_file(
        channel=Grievance.Channel.PORTAL,
        filed_by=filer,
        category=Grievance.Category.DELAY,
        what_happened="Our file has waited two months; the officer said it would wait longer unless we paid.",
        official=official,
    ).grievance


def end(grievance, how, integrity_officer):
    return grievance_to_state(grievance, how, officer=integrity_officer)


def events_on(obj):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).count()


# --- 1. screening out ------------------------------------------------------------------------------


@pytest.fixture
def screening(grant_call, operator, space, operator_user, officer):
    app = complete_grant(grant_call, operator, space, operator_user)
    return to_state(app, "screening", operator_user=operator_user, officer=officer)


def screen_out(app, actor):
    return services.application_screen_out(application=app, actor=actor, reason="The space is outside Punjab.")


def test_the_named_officer_may_not_screen_out_the_filers_application_and_nothing_moves(
    screening, officer, operator_user
):
    grievance_naming(officer, operator_user)
    before = events_on(screening)
    with pytest.raises(PermissionDenied) as refused:
        screen_out(screening, officer)
    assert str(refused.value) == SECOND_OFFICER
    screening.refresh_from_db()
    assert screening.state == "screening"
    assert events_on(screening) == before


def test_another_officer_screens_it_out(screening, officer, second_officer, operator_user):
    grievance_naming(officer, operator_user)
    assert screen_out(screening, second_officer).state == "screened_out"


@pytest.mark.parametrize("how", ["resolved", "closed"])
def test_the_named_officer_screens_out_again_once_the_grievance_is_over(
    screening, officer, operator_user, integrity_officer, how
):
    end(grievance_naming(officer, operator_user), how, integrity_officer)
    assert screen_out(screening, officer).state == "screened_out"


def test_the_named_officers_other_steps_are_not_affected(grant_call, operator, space, operator_user, officer):
    grievance_naming(officer, operator_user)
    app = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "submitted",
        operator_user=operator_user,
        officer=officer,
    )
    app = services.application_start_screening(application=app, actor=officer)
    services.application_request_information(application=app, actor=officer, question="Send the lease, please.")
    assert Application.objects.get(pk=app.pk).state == "info_requested"


def test_an_officer_named_by_another_company_is_not_affected(screening, officer, other_operator_user, other_operator):
    grievance_naming(officer, other_operator_user)
    assert screen_out(screening, officer).state == "screened_out"


# --- 2. a reviewer's reject recommendation ---------------------------------------------------------


@pytest.fixture
def reviews(grant_call, operator, space, operator_user, officer):
    """An application in review with two declared reviewers (the program's minimum)."""
    app = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "in_review",
        operator_user=operator_user,
        officer=officer,
    )
    assigned = services.review_assign(application=app, actor=officer, reviewers=make_reviewers(2))
    return [services.review_declare(review=review, actor=review.reviewer, conflict=False) for review in assigned]


def recommend(review, recommendation="reject"):
    return services.review_submit(
        review=review,
        actor=review.reviewer,
        scores=SCORES,
        recommendation=recommendation,
        comments="The plan does not show who the members would be.",
    )


def test_the_named_reviewer_may_not_recommend_rejection_alone_and_nothing_moves(reviews, operator_user):
    named, _other = reviews
    grievance_naming(named.reviewer, operator_user)
    before = events_on(named)
    with pytest.raises(PermissionDenied) as refused:
        recommend(named)
    assert SECOND_REVIEWER in str(refused.value)
    named.refresh_from_db()
    assert named.state == "declared"
    assert named.recommendation == ""
    assert not CriterionScore.objects.filter(review=named).exists()
    assert events_on(named) == before


def test_another_reviewer_recommends_rejection_and_then_the_named_one_may_too(reviews, operator_user):
    named, other = reviews
    grievance_naming(named.reviewer, operator_user)
    assert recommend(other).state == "submitted"
    assert recommend(named).state == "submitted"  # countersigned by the other reviewer's rejection
    assert Application.objects.get(pk=named.application_id).state == "recommended"


@pytest.mark.parametrize("how", ["resolved", "closed"])
def test_the_named_reviewer_recommends_rejection_once_the_grievance_is_over(
    reviews, operator_user, integrity_officer, how
):
    named, _other = reviews
    end(grievance_naming(named.reviewer, operator_user), how, integrity_officer)
    assert recommend(named).state == "submitted"


def test_the_named_reviewer_may_recommend_approval(reviews, operator_user):
    named, _other = reviews
    grievance_naming(named.reviewer, operator_user)
    assert recommend(named, "approve").state == "submitted"


def test_a_reviewer_named_by_another_company_is_not_affected(reviews, other_operator_user, other_operator):
    named, _other = reviews
    grievance_naming(named.reviewer, other_operator_user)
    assert recommend(named).state == "submitted"


# --- 3. a utility claim rejected -------------------------------------------------------------------

ENROLLED = dt.datetime(2026, 7, 10, 11, 0, tzinfo=KHI)
NOW = dt.datetime(2026, 11, 15, 11, 0, tzinfo=KHI)


@pytest.fixture
def clock():
    with time_machine.travel(ENROLLED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def claim(clock, utility_call, operator, space, operator_user, officer):
    """A claim for October's bill of an enrolment accepted in July (the call opens under the clock)."""
    award = accepted_enrolment(utility_call, operator, [space], operator_user, officer)
    clock.move_to(NOW)
    return services.utility_claim_submit(
        connection=award.application.connections.get(),
        actor=operator_user,
        disco="LESCO",
        bill_reference="04110000000001",
        billing_month=dt.date(2026, 10, 1),
        units=3400,
        bill_amount="200000",
        file=fresh_pdf("bill-oct.pdf"),
    )


def reject_claim(claim, actor):
    return services.utility_claim_reject(claim=claim, actor=actor, reason="The bill is for another meter.")


def test_the_named_officer_may_not_reject_the_filers_claim_and_nothing_moves(claim, officer, operator_user):
    grievance_naming(officer, operator_user)
    application = claim.connection.application
    before = events_on(application)
    with pytest.raises(PermissionDenied) as refused:
        reject_claim(claim, officer)
    assert str(refused.value) == SECOND_OFFICER
    assert UtilityClaim.objects.get(pk=claim.pk).state == "submitted"
    assert events_on(application) == before


def test_another_officer_rejects_the_claim(claim, officer, second_officer, operator_user):
    grievance_naming(officer, operator_user)
    assert reject_claim(claim, second_officer).state == "rejected"


@pytest.mark.parametrize("how", ["resolved", "closed"])
def test_the_named_officer_rejects_claims_again_once_the_grievance_is_over(
    claim, officer, operator_user, integrity_officer, how
):
    end(grievance_naming(officer, operator_user), how, integrity_officer)
    assert reject_claim(claim, officer).state == "rejected"


def test_the_named_officer_may_verify_and_approve_the_claim(claim, officer, operator_user):
    grievance_naming(officer, operator_user)
    claim = services.utility_claim_verify(claim=claim, actor=officer)
    assert services.utility_claim_approve(claim=claim, actor=officer).state == "approved"


def test_an_officer_named_by_another_company_rejects_claims(claim, officer, other_operator_user, other_operator):
    grievance_naming(officer, other_operator_user)
    assert reject_claim(claim, officer).state == "rejected"


# --- 4. tranche evidence returned ------------------------------------------------------------------


@pytest.fixture
def requested(grant_call, operator, space, operator_user, officer):
    award = accepted_grant(grant_call, operator, space, operator_user, officer)
    tranche = Tranche.objects.filter(award=award).order_by("position").first()
    return request_tranche(tranche, operator_user)


def return_tranche(tranche, actor):
    return services.tranche_return(tranche=tranche, actor=actor, reason="The photos show another floor.")


def test_the_named_officer_may_not_return_the_filers_tranche_and_nothing_moves(requested, officer, operator_user):
    grievance_naming(officer, operator_user)
    application = requested.award.application
    before = events_on(application)
    with pytest.raises(PermissionDenied) as refused:
        return_tranche(requested, officer)
    assert str(refused.value) == SECOND_OFFICER
    assert Tranche.objects.get(pk=requested.pk).state == "requested"
    assert events_on(application) == before


def test_another_officer_returns_the_tranche(requested, officer, second_officer, operator_user):
    grievance_naming(officer, operator_user)
    assert return_tranche(requested, second_officer).state == "returned"


@pytest.mark.parametrize("how", ["resolved", "closed"])
def test_the_named_officer_returns_tranches_again_once_the_grievance_is_over(
    requested, officer, operator_user, integrity_officer, how
):
    end(grievance_naming(officer, operator_user), how, integrity_officer)
    assert return_tranche(requested, officer).state == "returned"


def test_the_named_officer_may_verify_the_tranche(requested, officer, operator_user):
    grievance_naming(officer, operator_user)
    assert services.tranche_verify(tranche=requested, actor=officer).state == "verified"


def test_an_officer_named_by_another_company_returns_tranches(requested, officer, other_operator_user, other_operator):
    grievance_naming(officer, other_operator_user)
    assert return_tranche(requested, officer).state == "returned"


# --- the integrity desk ----------------------------------------------------------------------------


def test_the_flagged_page_shows_the_case_and_the_adverse_acts_taken_since(
    client, screening, officer, second_officer, operator_user, integrity_officer, utility_call, space
):
    grievance = grievance_naming(officer, operator_user)
    with pytest.raises(PermissionDenied):
        screen_out(screening, officer)
    screen_out(screening, second_officer)
    # A step that is not adverse is not listed.
    other = complete_utility(utility_call, screening.operator, [space], operator_user)
    services.application_submit(application=other, actor=operator_user)

    client.force_login(integrity_officer)
    page = client.get(reverse("integrity:grievance_flagged")).content.decode()
    assert "Indus Hub Coworking (Pvt.) Ltd." in page
    assert "Hamza Iqbal" in page  # the official named
    assert grievance.reference in page
    assert "Screened out" in page
    assert screening.reference in page
    assert "by Nadia Rauf" in page
    assert "the official named</span>" not in page
    assert other.reference not in page


def test_the_flagged_page_is_not_shown_to_the_official_it_names(client, officer, operator_user, integrity_officer):
    """An integrity officer named by a grievance does not see that case on the page."""
    officer.groups.add(*UserFactory(roles=[roles.INTEGRITY_OFFICER]).groups.all())
    grievance_naming(officer, operator_user)
    client.force_login(officer)
    page = client.get(reverse("integrity:grievance_flagged")).content.decode()
    assert "Indus Hub Coworking (Pvt.) Ltd." not in page
