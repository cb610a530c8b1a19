"""Issue #23: the header's "N to do" is kept in the cache per person, so a signed-in page does not
recount it (ten queries for an operator); it is forgotten when the person writes anything or is
notified, and a page that lists the actions counts afresh."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants import services
from notifications.header_count import count_key as _count_key
from spaces.needed_next import operator_owed_actions
from tests.notifications import test_inbox

pytestmark = pytest.mark.django_db
# The inbox's people: an operator with a question to answer and an application submitted.
people = test_inbox.people
LIST = "/portal/applications/"


def header_count(client, url=LIST) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return int(re.search(r"Notifications \((\d+) to do\)", response.content.decode()).group(1))


def test_the_count_is_kept_and_the_page_costs_fewer_queries(client, people):
    client.force_login(people["bilal"])
    with CaptureQueriesContext(connection) as first:
        counted = header_count(client)
    with CaptureQueriesContext(connection) as second:
        kept = header_count(client)

    assert counted == kept == len(operator_owed_actions(people["operator"]))
    assert cache.get(_count_key(people["bilal"].pk)) == counted
    assert len(second) <= len(first) - 5


def test_a_notice_to_the_person_makes_the_header_count_again(client, people, django_capture_on_commit_callbacks):
    bilal, officer, submitted = people["bilal"], people["officer"], people["submitted"]
    client.force_login(bilal)
    before = header_count(client)

    with django_capture_on_commit_callbacks(execute=True):
        services.application_start_screening(application=submitted, actor=officer)
        services.application_request_information(application=submitted, actor=officer, question="Your lease?")

    assert header_count(client) == before + 1  # a second question to answer


def test_what_the_person_writes_makes_the_header_count_again(client, people):
    bilal = people["bilal"]
    client.force_login(bilal)
    real = header_count(client)
    cache.set(_count_key(bilal.pk), 99, 300)  # as if kept from before something changed
    assert header_count(client) == 99

    client.post("/notifications/read-all/")

    assert header_count(client) == real


def test_filling_in_a_draft_keeps_the_count_and_answering_the_question_forgets_it(client, people):
    """Saving a section or uploading a document changes nothing anyone owes (issue #23: the journey's
    eleven draft writes each made the next page recount); answering the question does."""
    bilal, asked = people["bilal"], people["asked"]  # asked: a question to answer, still editable
    client.force_login(bilal)
    real = header_count(client)
    cache.set(_count_key(bilal.pk), 99, 300)  # a kept count the draft's writes must not forget
    base = f"/portal/applications/{asked.reference}"

    saved = client.post(
        f"{base}/sections/grant_details/",
        {"purpose": "Forty more seats", "amount_requested": "4,000,000", "own_contribution": "1,000,000"},
    )
    assert saved.status_code == 302
    assert header_count(client, f"{base}/tasks/") == 99

    answered = client.post(f"{base}/answer/", {"answer": "The lease is attached."})
    assert answered.status_code == 302
    assert header_count(client) == real - 1  # the question is no longer owed


def test_the_inbox_counts_afresh_and_the_header_agrees(client, people):
    bilal = people["bilal"]
    client.force_login(bilal)
    cache.set(_count_key(bilal.pk), 99, 300)

    html = client.get("/notifications/").content.decode()

    owed = len(operator_owed_actions(people["operator"]))
    assert f"What needs you ({owed})" in html and f"Notifications ({owed} to do)" in html
