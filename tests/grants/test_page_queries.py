"""Issue #23: the operator's application pages, which every applicant goes through on deadline day,
each cost a bounded number of queries, the same however many documents, lines and milestones the
application has. Measured on a second visit (the header's count is then kept, as it is for a person
going from page to page)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import services

from .conftest import complete_grant, fresh_pdf

pytestmark = pytest.mark.django_db

# The person with their roles and devices (one query, accounts.backends; the session is read from the
# cache), the application with its call, program, operator and space, then a grant's sections: its
# details, budget lines, milestones and documents (the task list, read once): 6.
PAGES = {
    ("grants:portal_tasks",): 6,
    ("grants:portal_section", "grant_details"): 6,
    ("grants:portal_section", "budget"): 6,
    ("grants:portal_section", "milestones"): 6,
    ("grants:portal_check",): 6,
    # The documents alone of the sections, and the documents the company filed before and may reuse
    # (its applications' and its requests'): 5.
    ("grants:portal_documents",): 5,
}


def queries(client, name, reference, *args) -> int:
    url = reverse(name, args=[reference, *args])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("page", "budget"), PAGES.items(), ids=[":".join(page) for page in PAGES])
def test_application_pages_stay_within_their_query_budget(
    client, grant_call, operator, space, operator_user, page, budget
):
    application = complete_grant(grant_call, operator, space, operator_user)
    client.force_login(operator_user)

    assert queries(client, page[0], application.reference, *page[1:]) <= budget


def test_sending_a_section_and_uploading_a_document_stay_within_their_budget(
    client, grant_call, operator, space, operator_user
):
    """The two writes an applicant makes most (issue #23): the person, the application without its other
    sections, the service's lock with the call and program, the membership, the write and its audit
    event (with the savepoints around them); the upload also asks once whether the file was uploaded
    before. The header's count is kept: neither write changes what the operator owes."""
    application = services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)
    base = f"/portal/applications/{application.reference}"
    client.force_login(operator_user)
    assert client.get(f"{base}/tasks/").status_code == 200
    fields = {"purpose": "Forty more seats", "amount_requested": "4,000,000", "own_contribution": "1,000,000"}

    with CaptureQueriesContext(connection) as section:
        assert client.post(f"{base}/sections/grant_details/", fields).status_code == 302
    with CaptureQueriesContext(connection) as upload:
        sent = client.post(f"{base}/documents/", {"document_type": "cnic_copy", "file": fresh_pdf("cnic.pdf")})
        assert sent.status_code == 302
    with CaptureQueriesContext(connection) as landing:
        assert client.get(f"{base}/documents/").status_code == 200

    # On PostgreSQL the audit chain's writer also takes its advisory lock (audit.services): one more.
    chain_lock = 1 if connection.vendor == "postgresql" else 0
    assert len(section) <= 15 + chain_lock
    assert len(upload) <= 11 + chain_lock
    assert len(landing) <= PAGES[("grants:portal_documents",)]
