"""The roles of the program, as Django groups with the permissions each one needs.

One table says it all; `sync_roles()` makes the database match it and is idempotent, so it runs after
every `migrate` and from `manage.py sync_roles`. A permission a role no longer lists is taken away.
Object-level rules (an operator sees only their own company) live in the selectors and services;
these permissions say what kind of thing a role may do at all.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

OPERATOR = "operator"
PROGRAM_OFFICER = "program_officer"
BOARD_REVIEWER = "board_reviewer"
BOARD_CHAIR = "board_chair"
FINANCE_MAKER = "finance_maker"
FINANCE_CHECKER = "finance_checker"
MINISTRY_VIEWER = "ministry_viewer"
INTEGRITY_OFFICER = "integrity_officer"
EDITOR = "editor"
SENIOR_EDITOR = "senior_editor"
DATA_STEWARD = "data_steward"
# Outside the program: officials of other departments and people at the operators' associations.
INSPECTOR = "inspector"
ASSOCIATION_LIAISON = "association_liaison"
# Above the integrity officers: takes escalated grievances and appeals against their handling.
INTEGRITY_HEAD = "integrity_head"
# One window: a desk officer of one department acts on that department's requests; the coordinator
# (program secretariat) sees every department's late cases.
DEPARTMENT_DESK = "department_desk"
ONE_WINDOW_COORDINATOR = "one_window_coordinator"
# A member of a coworking space who holds (or asks for) a seat voucher (issue #18); signs in to the
# freelancer's portal, never to the workbench.
FREELANCER = "freelancer"
# Not a person's role: the account a bank's API client acts through (issue #21, api/services.py). It
# reports what the bank did (a payment paid or returned, a repayment collected) through the same
# services as finance's statement and collection imports. Never granted to a person: it is not in
# ROLE_LABELS, so accounts.services.role_grant refuses it; api.services gives it to the client's account.
BANK_CLIENT = "bank_client"

ROLE_LABELS = {
    OPERATOR: _("Operator"),
    PROGRAM_OFFICER: _("Program officer"),
    BOARD_REVIEWER: _("Board reviewer"),
    BOARD_CHAIR: _("Board chair"),
    FINANCE_MAKER: _("Finance maker"),
    FINANCE_CHECKER: _("Finance checker"),
    MINISTRY_VIEWER: _("Ministry viewer"),
    INTEGRITY_OFFICER: _("Integrity officer"),
    EDITOR: _("Editor"),
    SENIOR_EDITOR: _("Senior editor"),
    DATA_STEWARD: _("Data steward"),
    INSPECTOR: _("Inspector"),
    ASSOCIATION_LIAISON: _("Association liaison"),
    INTEGRITY_HEAD: _("Head of integrity"),
    DEPARTMENT_DESK: _("Department desk"),
    ONE_WINDOW_COORDINATOR: _("One-window coordinator"),
    FREELANCER: _("Freelancer"),
}

# Staff roles sign in to the workbench; operators to the portal.
STAFF_ROLES = frozenset(ROLE_LABELS) - {OPERATOR, FREELANCER}

# The roles a data steward gives when importing the officials of departments and associations
# (issue #15 A: stewards keep who visits), and only to an account that holds no other role
# (accounts.services.role_grant). Every other role is given by a superuser.
GRANTED_BY_STEWARDS = frozenset({INSPECTOR, ASSOCIATION_LIAISON, DEPARTMENT_DESK})

_WAGTAIL_EDITOR = [
    "wagtailadmin.access_admin",
    "wagtailcore.add_page",
    "wagtailcore.change_page",
    "wagtailcore.view_page",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
]

# What both finance roles read and do; the maker prepares and batches, the checker approves (four eyes).
_FINANCE_COMMON = [
    "finance.view_paymentinstruction",
    "finance.view_paymentbatch",
    "finance.view_ledgerentry",
    "finance.view_bankstatement",
    "finance.import_bankstatement",
    "finance.view_statementline",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # No model rights: the bank's client acts only through the API's endpoints and the services.
    BANK_CLIENT: [],
    OPERATOR: [
        "spaces.view_operator",
        "spaces.view_space",
        "grants.view_program",
        "grants.view_call",
    ],
    PROGRAM_OFFICER: [
        "spaces.view_operator",
        "spaces.change_operator",
        "spaces.verify_operator",
        "spaces.view_space",
        "spaces.change_space",
        "spaces.view_sensitive_identifiers",
        "grants.view_program",
        "grants.view_call",
        "grants.view_budgetallocation",
        "audit.view_auditevent",
    ],
    BOARD_REVIEWER: ["spaces.view_operator", "spaces.view_space", "grants.view_program", "grants.view_call"],
    BOARD_CHAIR: ["spaces.view_operator", "spaces.view_space", "grants.view_program", "grants.view_call"],
    FINANCE_MAKER: [
        "spaces.view_operator",
        "spaces.view_space",
        "spaces.view_sensitive_identifiers",
        "grants.view_program",
        "grants.view_budgetallocation",
        *_FINANCE_COMMON,
        "finance.prepare_paymentinstruction",
        "finance.manage_paymentbatch",
    ],
    FINANCE_CHECKER: [
        "spaces.view_operator",
        "spaces.view_space",
        "spaces.view_sensitive_identifiers",
        "grants.view_program",
        "grants.view_budgetallocation",
        *_FINANCE_COMMON,
        "finance.approve_paymentinstruction",
    ],
    MINISTRY_VIEWER: [
        "spaces.view_operator",
        "spaces.view_space",
        "grants.view_program",
        "grants.view_call",
        "grants.view_budgetallocation",
    ],
    INTEGRITY_OFFICER: [
        "spaces.view_operator",
        "spaces.view_space",
        "spaces.view_sensitive_identifiers",
        "audit.view_auditevent",
        "integrity.view_grievance",
        "integrity.view_inspectionvisit",
    ],
    INTEGRITY_HEAD: [
        "spaces.view_operator",
        "spaces.view_space",
        "spaces.view_sensitive_identifiers",
        "audit.view_auditevent",
        "integrity.view_grievance",
        "integrity.view_inspectionvisit",
    ],
    # Object-level rules (their own department's requests, their association's members' spaces) live
    # in integrity.selectors and integrity.services.
    INSPECTOR: ["integrity.view_inspectionvisit"],
    # Their own department's requests only (onewindow.selectors).
    DEPARTMENT_DESK: ["onewindow.view_servicerequest"],
    ONE_WINDOW_COORDINATOR: ["onewindow.view_servicerequest", "onewindow.view_service"],
    ASSOCIATION_LIAISON: ["integrity.view_inspectionvisit"],
    # Their own profile and vouchers only (vouchers.selectors).
    FREELANCER: ["grants.view_program"],
    EDITOR: _WAGTAIL_EDITOR,
    # Senior editors approve and publish what editors submit (Wagtail's moderation workflow); the
    # right to publish is a page permission, given on the site's pages by the site set-up.
    SENIOR_EDITOR: _WAGTAIL_EDITOR,
    # Data stewards keep the registry in the Django admin (bulk import/export of operators and spaces).
    DATA_STEWARD: [
        "spaces.view_operator",
        "spaces.add_operator",
        "spaces.change_operator",
        "spaces.view_space",
        "spaces.add_space",
        "spaces.change_space",
        "spaces.view_sensitive_identifiers",
        # Who visits: the departments, their visit purposes, the associations and the officials.
        "integrity.view_department",
        "integrity.add_department",
        "integrity.change_department",
        "integrity.view_visitpurpose",
        "integrity.add_visitpurpose",
        "integrity.change_visitpurpose",
        "integrity.view_association",
        "integrity.add_association",
        "integrity.change_association",
        "integrity.view_associationmembership",
        "integrity.add_associationmembership",
        "integrity.change_associationmembership",
        "integrity.view_official",
        "integrity.add_official",
        "integrity.change_official",
        # The one-window service catalogue.
        "onewindow.view_service",
        "onewindow.add_service",
        "onewindow.change_service",
        "onewindow.view_servicequestion",
        "onewindow.add_servicequestion",
        "onewindow.change_servicequestion",
        "onewindow.view_servicedocument",
        "onewindow.add_servicedocument",
        "onewindow.change_servicedocument",
        "onewindow.view_bundle",
        "onewindow.add_bundle",
        "onewindow.change_bundle",
        # The texts of notifications (issue #19), checked and audited by notifications.services.
        "notifications.view_notificationtemplate",
        "notifications.add_notificationtemplate",
        "notifications.change_notificationtemplate",
        # API clients (issue #21): stewards register them and see their secret once (api/admin.py).
        "api.view_apiclient",
        "api.add_apiclient",
        "api.change_apiclient",
    ],
}


def _permission(code: str) -> Permission:
    app_label, codename = code.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def sync_roles() -> dict[str, int]:
    """Create every role group and set its permissions exactly. Returns permissions per role."""
    counts = {}
    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([_permission(code) for code in codes])
        counts[role] = len(codes)
    return counts


def sync_roles_after_migrate(sender, app_config=None, using="default", **kwargs):
    # Run once per migrate, after the last app (ours) has had its permissions created.
    if app_config is None or app_config.label != "accounts":
        return
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_roles()
