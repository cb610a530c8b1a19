"""One transition asks the database once whether the person is on the applicant company's staff: the
service's guard and the transition's own `permission=` share the answer kept on the row the service
locked (grants.models.remember_membership)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants import services
from grants.models import Tranche

from .conftest import complete_grant
from .payments import accepted_grant, report

pytestmark = pytest.mark.django_db


def membership_checks(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith("SELECT 1 AS") and "spaces_operator_members" in q["sql"])


def test_an_application_transition_asks_about_membership_once(grant_call, operator, space, operator_user, officer):
    application = complete_grant(grant_call, operator, space, operator_user)
    with CaptureQueriesContext(connection) as submit:
        services.application_submit(application=application, actor=operator_user)
    with CaptureQueriesContext(connection) as screen:
        services.application_start_screening(application=application, actor=officer)
    assert membership_checks(submit.captured_queries) == 1
    assert membership_checks(screen.captured_queries) == 1


def test_a_tranche_transition_asks_about_membership_once(grant_call, operator, space, operator_user, officer):
    award = accepted_grant(grant_call, operator, space, operator_user, officer)
    tranche = Tranche.objects.get(award=award, position=1)
    with CaptureQueriesContext(connection) as request:
        tranche = services.tranche_request(
            tranche=tranche, actor=operator_user, progress_note="Done", evidence=[("progress_report", report())]
        )
    with CaptureQueriesContext(connection) as verify:
        services.tranche_verify(tranche=tranche, actor=officer)
    assert membership_checks(request.captured_queries) == 1
    assert membership_checks(verify.captured_queries) == 1


def test_membership_is_not_kept_on_an_instance_no_service_locked(grant_call, operator, space, operator_user):
    from accounts.models import User
    from grants.models import is_applicant

    application = complete_grant(grant_call, operator, space, operator_user)
    newcomer = User.objects.create_user(email="newcomer@example.pk", password="x-Long-enough-1")
    assert not is_applicant(application, newcomer)
    operator.members.add(newcomer)
    assert is_applicant(application, newcomer)
