"""The clock: time in the current state, and processing time that pauses while the operator owes
information."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from grants import services
from grants.models import Application
from grants.selectors import screening_queue

from .conftest import complete_grant

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_clock_pauses_while_information_is_requested(grant_call, operator, space, operator_user, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        app = complete_grant(grant_call, operator, space, operator_user)
        app = services.application_submit(application=app, actor=operator_user)
        traveller.shift(2 * DAY)
        app = services.application_start_screening(application=app, actor=officer)
        traveller.shift(1 * DAY)
        services.application_request_information(application=app, actor=officer, question="Send the lease deed.")
        traveller.shift(5 * DAY)
        app = Application.objects.get(pk=app.pk)
        clock = app.clock()
        assert clock.is_paused
        assert clock.in_state == 5 * DAY
        assert clock.processing == 3 * DAY  # 2 submitted + 1 screening; the 5 days waiting do not count
        assert clock.paused == 5 * DAY

        app = services.application_answer_information(application=app, actor=operator_user, answer="Attached.")
        traveller.shift(2 * DAY)
        clock = Application.objects.get(pk=app.pk).clock()
        assert not clock.is_paused
        assert clock.in_state == 2 * DAY
        assert clock.processing == 5 * DAY
        assert clock.paused == 5 * DAY

        # Closing stops the clock.
        app = services.application_screen_out(application=app, actor=officer, reason="Lease ends next month.")
        traveller.shift(30 * DAY)
        clock = Application.objects.get(pk=app.pk).clock()
        assert clock.in_state is None
        assert clock.processing == 5 * DAY


def test_information_request_recorded(grant_call, operator, space, operator_user, officer):
    app = services.application_submit(
        application=complete_grant(grant_call, operator, space, operator_user), actor=operator_user
    )
    app = services.application_start_screening(application=app, actor=officer)
    request = services.application_request_information(application=app, actor=officer, question="Which floor?")
    assert request.is_open and request.asked_by == officer
    services.application_answer_information(application=app, actor=operator_user, answer="The second floor.")
    request.refresh_from_db()
    assert (request.answer, request.answered_by, request.is_open) == ("The second floor.", operator_user, False)


def test_draft_has_no_processing_time(grant_call, operator, space, operator_user):
    app = services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)
    assert app.clock().processing is None


def test_queue_is_oldest_first_with_clocks(grant_call, operator, space, second_space, operator_user, officer):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        older = services.application_submit(
            application=complete_grant(grant_call, operator, space, operator_user), actor=operator_user
        )
        traveller.shift(DAY)
        newer = services.application_submit(
            application=complete_grant(grant_call, operator, second_space, operator_user), actor=operator_user
        )
        traveller.shift(DAY)
        rows = list(screening_queue(user=officer))
        assert [r.reference for r in rows] == [older.reference, newer.reference]
        assert [r.clock().processing for r in rows] == [2 * DAY, DAY]
