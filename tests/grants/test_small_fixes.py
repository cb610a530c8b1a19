"""Small things a newcomer hit in the demo (issue #17 item 12), each checked on the page's HTML."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import roles
from grants import services
from spaces.models import Operator

from .conftest import complete_grant, make_reviewers, review_fully, to_state, unique_pdf
from .factories import UserFactory
from .test_views_portal import start

pytestmark = pytest.mark.django_db


def _walk(call, operator, space, operator_user, officer, state):
    draft = complete_grant(call, operator, space, operator_user)
    return to_state(draft, state, operator_user=operator_user, officer=officer)


def _submit_buttons(html: str) -> list[str]:
    form = re.search(r'<form method="post" class="form" novalidate>.*?</form>', html, re.S).group(0)
    return re.findall(r'<button type="submit"[^>]*>', form)


def test_enter_in_the_budget_form_saves_rather_than_adding_a_row(client, grant_call, space, operator_user):
    client.force_login(operator_user)
    app = start(client, grant_call, space)
    html = client.get(reverse("grants:portal_section", args=[app.reference, "budget"])).content.decode()
    buttons = _submit_buttons(html)
    # Enter submits with the form's first submit button (HTML's implicit submission): it is "Save".
    assert 'name="add_row"' not in buttons[0] and any('name="add_row"' in b for b in buttons[1:])


def test_the_document_type_just_uploaded_stays_chosen(client, grant_call, space, operator_user):
    client.force_login(operator_user)
    app = start(client, grant_call, space)
    url = reverse("grants:portal_documents", args=[app.reference])
    response = client.post(
        url,
        {"document_type": "business_plan", "file": SimpleUploadedFile("plan.pdf", unique_pdf("p"), "application/pdf")},
    )
    assert response.status_code == 302 and response["Location"] == f"{url}?type=business_plan"
    html = client.get(response["Location"]).content.decode()
    select = re.search(r'<select name="document_type".*?</select>', html, re.S).group(0)
    assert re.search(r'<option value="business_plan" selected>', select)


def test_the_documents_page_does_not_scroll_sideways_on_a_phone(client, grant_call, space, operator_user):
    client.force_login(operator_user)
    app = start(client, grant_call, space)
    url = reverse("grants:portal_documents", args=[app.reference])
    long_name = "cnic_copy_scanned_front_and_back_of_the_principal_2026_final_version.pdf"
    client.post(
        url, {"document_type": "cnic_copy", "file": SimpleUploadedFile(long_name, unique_pdf("c"), "application/pdf")}
    )
    html = client.get(url).content.decode()
    # A long file name may break anywhere, and the table scrolls inside its own region.
    assert '<a class="file-name" href="' in html and long_name in html
    assert '<div class="table-scroll" role="region"' in html
    css = (Path(settings.BASE_DIR) / "static" / "css" / "sahulat.css").read_text()
    # The visually hidden "Remove" header (position: absolute) stays inside the scrolling region.
    assert ".table-scroll { overflow-x: auto; position: relative; }" in css
    assert ".file-name { overflow-wrap: anywhere; }" in css and "main { overflow-wrap: break-word; }" in css


def test_a_failing_verified_operator_check_links_to_the_company(client, grant_call, operator, space, operator_user):
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    app = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "screening",
        operator_user=operator_user,
        officer=officer,
    )
    company = reverse("workbench_operators:verify", args=[operator.pk])
    client.force_login(officer)
    page = client.get(reverse("grants:workbench_application", args=[app.reference])).content.decode()
    assert f'href="{company}"' not in page  # verified: nothing to do
    Operator.objects.filter(pk=operator.pk).update(verification_status=Operator.Verification.PENDING, verified_at=None)
    page = client.get(reverse("grants:workbench_application", args=[app.reference])).content.decode()
    assert f'<a href="{company}">Open the company’s page to verify it</a>' in page.replace("'", "’")


def test_board_agenda_rows_link_to_the_applications(client, grant_call, operator, space, operator_user):
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    app = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "in_review",
        operator_user=operator_user,
        officer=officer,
    )
    review_fully(app, officer=officer)
    client.force_login(officer)
    page = client.get(reverse("grants:workbench_board_agenda")).content.decode()
    link = reverse("grants:workbench_application", args=[app.reference])
    assert f'<a href="{link}"><bdi dir="ltr">{app.reference}</bdi></a>' in page  # the reference kept LTR


def test_the_reviewer_reads_the_application_before_the_score_form(client, grant_call, operator, space, operator_user):
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    app = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "in_review",
        operator_user=operator_user,
        officer=officer,
    )
    reviews = services.review_assign(application=app, actor=officer, reviewers=make_reviewers(2))
    review = reviews[0]
    reviewer = review.reviewer
    services.review_declare(review=review, actor=reviewer, conflict=False)
    client.force_login(reviewer)
    page = client.get(reverse("grants:workbench_review", args=[app.reference])).content.decode()
    assert page.index("The application</h2>") < page.index("Documents</h2>") < page.index('id="score-title"')
    assert page.index('id="score-title"') < page.index("Submit your review")
    assert '<a href="#score-title">Go to the score form</a>' in page
