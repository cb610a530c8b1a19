import pytest
from django.contrib.auth.models import Group

from accounts import roles
from accounts.roles import ROLE_PERMISSIONS, sync_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def perms_of(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_every_role_of_the_design_exists_after_migrate():
    expected = {
        "operator",
        "program_officer",
        "board_reviewer",
        "board_chair",
        "finance_maker",
        "finance_checker",
        "ministry_viewer",
        "integrity_officer",
        "editor",
        "data_steward",
    }
    assert set(Group.objects.values_list("name", flat=True)) >= expected


@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
def test_each_role_has_exactly_its_listed_permissions(role):
    assert perms_of(role) == set(ROLE_PERMISSIONS[role])


def test_sync_roles_is_idempotent_and_takes_away_extra_permissions():
    group = Group.objects.get(name=roles.OPERATOR)
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="add_operator"))  # granted by hand, wrongly
    sync_roles()
    sync_roles()
    assert perms_of(roles.OPERATOR) == set(ROLE_PERMISSIONS[roles.OPERATOR])
    assert Group.objects.filter(name=roles.OPERATOR).count() == 1


@pytest.mark.parametrize(
    ("role", "perm", "allowed"),
    [
        (roles.PROGRAM_OFFICER, "spaces.view_sensitive_identifiers", True),
        (roles.FINANCE_CHECKER, "spaces.view_sensitive_identifiers", True),
        (roles.OPERATOR, "spaces.view_sensitive_identifiers", False),
        (roles.MINISTRY_VIEWER, "spaces.view_sensitive_identifiers", False),
        (roles.BOARD_REVIEWER, "spaces.view_sensitive_identifiers", False),
        (roles.OPERATOR, "spaces.add_operator", False),
        (roles.DATA_STEWARD, "spaces.add_operator", True),
        (roles.DATA_STEWARD, "spaces.delete_operator", False),  # the registry keeps history: no deletes
        (roles.EDITOR, "wagtailadmin.access_admin", True),
        (roles.OPERATOR, "wagtailadmin.access_admin", False),
        (roles.PROGRAM_OFFICER, "spaces.verify_operator", True),
        (roles.OPERATOR, "spaces.verify_operator", False),
        # Four eyes on payments: the maker prepares, the checker approves, neither does the other's part.
        (roles.FINANCE_MAKER, "finance.prepare_paymentinstruction", True),
        (roles.FINANCE_MAKER, "finance.approve_paymentinstruction", False),
        (roles.FINANCE_CHECKER, "finance.approve_paymentinstruction", True),
        (roles.FINANCE_CHECKER, "finance.prepare_paymentinstruction", False),
        (roles.FINANCE_CHECKER, "finance.manage_paymentbatch", False),
        (roles.PROGRAM_OFFICER, "finance.approve_paymentinstruction", False),
        (roles.OPERATOR, "finance.view_paymentinstruction", False),
    ],
)
def test_role_permission_matrix(role, perm, allowed):
    user = UserFactory(roles=[role])
    assert user.has_perm(perm) is allowed
