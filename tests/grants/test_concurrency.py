"""Real concurrency on PostgreSQL: row locks make one of two simultaneous transitions win."""

import pytest
from django.db import connection

from audit.models import AuditEvent
from grants import services
from grants.models import Application
from tests.concurrency import race

from .conftest import complete_grant
from .factories import OperatorFactory, SpaceFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_officers_screening_at_once_one_wins(grant_call, operator, space, operator_user, officer):
    assert connection.vendor == "postgresql"
    second_officer = UserFactory(roles=["program_officer"])
    app = services.application_submit(
        application=complete_grant(grant_call, operator, space, operator_user), actor=operator_user
    )
    outcomes = race(
        lambda: services.application_start_screening(application=app, actor=officer),
        lambda: services.application_start_screening(application=app, actor=second_officer),
    )
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"]
    assert Application.objects.get(pk=app.pk).state == "screening"
    assert AuditEvent.objects.filter(action="application.start_screening", object_id=str(app.pk)).count() == 1


def test_withdraw_racing_screen_out_one_wins(grant_call, operator, space, operator_user, officer):
    app = services.application_submit(
        application=complete_grant(grant_call, operator, space, operator_user), actor=operator_user
    )
    app = services.application_start_screening(application=app, actor=officer)
    outcomes = race(
        lambda: services.application_withdraw(application=app, actor=operator_user, reason="Changed plans"),
        lambda: services.application_screen_out(application=app, actor=officer, reason="Out of scope"),
    )
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"]
    final = Application.objects.get(pk=app.pk)
    winner = next(o[1] for o in outcomes if o[0] == "ok")
    assert final.state == winner.state
    assert AuditEvent.objects.filter(object_id=str(app.pk), from_state="screening").count() == 1


def test_reference_numbers_unique_under_concurrency(grant_call):
    makers = []
    for _i in range(8):
        user = UserFactory()
        operator = OperatorFactory(members=[user])
        space = SpaceFactory(operator=operator)
        makers.append((user, operator, space))
    outcomes = race(
        *[
            (lambda u=u, o=o, s=s: services.application_create(actor=u, call=grant_call, operator=o, space=s))
            for u, o, s in makers
        ]
    )
    assert [o[0] for o in outcomes] == ["ok"] * 8
    references = sorted(Application.objects.values_list("reference", flat=True))
    year = references[0].split("-")[1]
    assert references == [f"GR-{year}-{n:05d}" for n in range(1, 9)]
