"""Where pages may live: a call page only under a program page, and only for that program's calls."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.test.utils.form_data import nested_form_data, streamfield

from accounts.models import User
from cms.models import CallPage, FaqPage, HomePage, ProgramPage
from tests.factories import CallFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_a_call_page_can_be_created_only_under_a_program_page(home, programs_index, program_page):
    assert CallPage.can_create_at(program_page)
    assert not CallPage.can_create_at(home)
    assert not CallPage.can_create_at(programs_index)
    assert program_page.specific_class.allowed_subpage_models() == [CallPage]
    assert not ProgramPage.can_create_at(home)  # programs live under the programs index
    assert ProgramPage.can_create_at(programs_index)
    assert FaqPage.can_create_at(home) and not FaqPage.can_create_at(program_page)
    assert not HomePage.can_create_at(home)


def test_a_call_page_for_another_programs_call_is_refused(program_page):
    other_call = CallFactory(program=ProgramFactory(name="Power Relief", slug="power-relief", code="US"))
    with pytest.raises(ValidationError) as refused:
        program_page.add_child(instance=CallPage(title="Wrong", slug="wrong", call=other_call))
    assert "another program" in str(refused.value)
    assert not CallPage.objects.filter(slug="wrong").exists()


@pytest.fixture
def admin_client(client, db):
    admin = User.objects.create_superuser(email="root@example.pk", password="Ravi-river-lantern-42")
    client.force_login(admin)
    return client


def test_the_admin_refuses_a_call_page_outside_a_program_page(admin_client, home, program_page, call):
    refused = admin_client.get(f"/cms-admin/pages/add/cms/callpage/{home.pk}/", follow=True)
    assert refused.redirect_chain[-1][0] == "/cms-admin/"
    assert "permission" in " ".join(str(m) for m in refused.context["messages"]).lower()
    response = admin_client.get(f"/cms-admin/pages/add/cms/callpage/{program_page.pk}/")
    assert response.status_code == 200
    choices = list(response.context["form"].fields["call"].queryset)
    assert choices == [call]  # only the calls of the program page's program are offered


def test_the_admin_form_refuses_a_call_of_another_program(admin_client, program_page, call):
    other_call = CallFactory(program=ProgramFactory(name="Power Relief", slug="power-relief", code="US"))
    data = nested_form_data(
        {
            "title": "Wrong",
            "slug": "wrong",
            "call": other_call.pk,
            "intro": "",
            "body": streamfield([]),
            "title_ur": "",
            "intro_ur": "",
            "body_ur": streamfield([]),
        }
    )
    response = admin_client.post(f"/cms-admin/pages/add/cms/callpage/{program_page.pk}/", data)
    assert response.status_code == 200  # the form again, with the error
    assert "call" in response.context["form"].errors
    assert not CallPage.objects.filter(slug="wrong").exists()
