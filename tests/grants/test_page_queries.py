"""Issue #23: the operator's application pages, which every applicant goes through on deadline day,
each cost a bounded number of queries, the same however many documents, lines and milestones the
application has. Measured on a second visit (the header's count is then kept, as it is for a person
going from page to page)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import complete_grant

pytestmark = pytest.mark.django_db

# Session, person, authenticator, roles, the application with its call, program, operator and space,
# then its budget lines, milestones, documents and connections (the task list, read once): 9.
PAGES = {
    ("grants:portal_tasks",): 10,
    ("grants:portal_section", "grant_details"): 10,
    ("grants:portal_section", "budget"): 10,
    ("grants:portal_section", "milestones"): 10,
    ("grants:portal_check",): 10,
    # Also the documents the company filed before and may reuse: its applications' and its requests'.
    ("grants:portal_documents",): 11,
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
