"""The worklist, the CSV export, a match's page and the application page: who may see them, what they
show (identifiers masked for whoever may not see them), and formula-safe CSV cells."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts import roles
from matches.models import Match
from matches.services.sweep import matches_sweep
from spaces.models import Operator
from tests.factories import UserFactory

from .conftest import application_of, company

pytestmark = pytest.mark.django_db

CNIC = "35202-9999888-1"


@pytest.fixture
def match(db):
    a = company(legal_name='=HYPERLINK("http://x")')
    b = company(legal_name="Twin Desk (Pvt.) Ltd.")
    Operator.objects.filter(pk__in=[a.pk, b.pk]).update(principal_cnic=CNIC)
    matches_sweep(rules=["principal_cnic"])
    return Match.objects.get()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.INTEGRITY_OFFICER, 200),
        (roles.DATA_STEWARD, 200),
        (roles.PROGRAM_OFFICER, 403),
        (roles.OPERATOR, 403),
        (roles.FINANCE_MAKER, 403),
    ],
)
def test_the_worklist_is_for_the_integrity_office_and_data_stewards(client, match, role, status):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("matches:worklist"))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert match.reference in body and "Twin Desk" in body
        counts = {row["rule"].code: row["count"] for row in response.context["counts"]}
        assert counts["principal_cnic"] == 1 and counts["iban"] == 0


def test_the_cnic_is_masked_for_whoever_may_not_see_identifiers_and_in_full_for_who_may(client, match):
    # Data stewards keep the registry and may see full identifiers (accounts.roles,
    # spaces.selectors.can_see_identifiers), like the integrity office: in full.
    client.force_login(UserFactory(roles=[roles.DATA_STEWARD]))
    assert CNIC in client.get(reverse("matches:worklist")).content.decode()
    client.force_login(UserFactory(roles=[roles.INTEGRITY_OFFICER]))
    assert CNIC in client.get(reverse("matches:match", args=[match.pk])).content.decode()
    # Where the stewards' role is given no full identifiers, the worklist, the match's page and the
    # export show the last four characters only.
    Group.objects.get(name=roles.DATA_STEWARD).permissions.remove(
        Permission.objects.get(content_type__app_label="spaces", codename="view_sensitive_identifiers")
    )
    client.force_login(UserFactory(roles=[roles.DATA_STEWARD]))
    masked = "•" * 11 + "88-1"
    for url in (reverse("matches:worklist"), reverse("matches:match", args=[match.pk]), reverse("matches:export")):
        body = client.get(url).content.decode("utf-8-sig")
        assert CNIC not in body and masked in body and "Twin Desk" in body, url


def test_the_csv_export_escapes_formula_like_cells(client, match):
    client.force_login(UserFactory(roles=[roles.INTEGRITY_OFFICER]))
    response = client.get(reverse("matches:export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("reference,rule,kind,state")
    assert len(lines) == 2 and match.reference in lines[1]
    assert "'=HYPERLINK" in lines[1] and ",=HYPERLINK" not in lines[1]


def test_clearing_from_the_page_needs_a_reason(client, match):
    client.force_login(UserFactory(roles=[roles.PROGRAM_OFFICER]))
    assert client.post(reverse("matches:clear", args=[match.pk]), {"reason": ""}).status_code == 400
    response = client.post(reverse("matches:clear", args=[match.pk]), {"reason": "Cousins; checked on site."})
    assert response.status_code == 302
    assert Match.objects.get(pk=match.pk).state == "cleared"
    # A program officer may not confirm (the integrity office does).
    assert client.post(reverse("matches:confirm", args=[match.pk]), {"reason": "x"}).status_code == 403


def test_the_officers_application_page_lists_the_open_matches_next_to_the_checks(client, match):
    operator = Operator.objects.get(pk=match.right_operator_id)
    app = application_of(operator, state="screening")
    client.force_login(UserFactory(roles=[roles.PROGRAM_OFFICER]))
    body = client.get(reverse("grants:workbench_application", args=[app.reference])).content.decode()
    assert "Duplicate checks" in body and match.reference in body
    assert body.index("Eligibility checks") < body.index(match.reference) < body.index("Actions")
    other = Operator.objects.get(pk=match.left_operator_id).legal_name
    assert "HYPERLINK" in body and "Holds the case" in body
    assert other.split("(")[0] in body
