"""Right-to-left pages with left-to-right codes and text people typed (issue #17 item 13): codes such as
"FY2026-27" are isolated left to right, and names, reasons, questions and answers take the direction of
their own text (dir="auto" or <bdi>)."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from accounts import roles
from grants.models import Application

from .conftest import ensure_allocation
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_ltr_filter_isolates_a_code_and_escapes_it():
    html = Template("{% load grants_tags %}{{ code|ltr }}|{{ empty|ltr }}").render(
        Context({"code": "FY2026-27 <b>", "empty": ""})
    )
    assert html == '<bdi dir="ltr">FY2026-27 &lt;b&gt;</bdi>|'


def test_the_urdu_budget_page_isolates_the_fiscal_year(client, grant_call):
    allocation = ensure_allocation(grant_call.program)
    client.force_login(UserFactory(roles=[roles.PROGRAM_OFFICER]))
    with translation.override("ur"):
        url = reverse("grants:workbench_budget")
    html = client.get(url).content.decode()
    label = allocation.fiscal_year_label
    assert f'<td><bdi dir="ltr">{label}</bdi></td>' in html
    assert html.count(f'<bdi dir="ltr">{label}</bdi>') >= 2  # the table and the sentence naming the current year


def test_what_people_typed_takes_its_own_direction(client, operator, space, operator_user):
    client.force_login(operator_user)
    with translation.override("ur"):
        company, place = (
            reverse("portal:operator_detail", args=[operator.pk]),
            reverse("portal:space_detail", args=[space.pk]),
        )
    assert f'<h1 dir="auto">{operator.legal_name}</h1>' in client.get(company).content.decode()
    html = client.get(place).content.decode()
    assert f'<h1 dir="auto">{space.name}</h1>' in html
    assert f"<bdi>{operator.legal_name}</bdi>" in html


def test_an_information_request_and_its_answer_on_the_application_page(
    client, operator_user, operator, space, grant_call
):
    from grants import services

    from .conftest import complete_grant

    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    app = complete_grant(grant_call, operator, space, operator_user)
    services.application_submit(application=app, actor=operator_user)
    services.application_start_screening(application=Application.objects.get(pk=app.pk), actor=officer)
    services.application_request_information(
        application=Application.objects.get(pk=app.pk), actor=officer, question="لیز نامہ بھیجیں۔ Lease deed, please."
    )
    client.force_login(operator_user)
    with translation.override("ur"):
        url = reverse("grants:portal_application", args=[app.reference])
    html = client.get(url).content.decode()
    assert '<blockquote class="question" dir="auto">لیز نامہ بھیجیں۔ Lease deed, please.</blockquote>' in html
