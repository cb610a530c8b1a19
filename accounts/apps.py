from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from .roles import sync_roles_after_migrate

        # Roles are wiring, not business rules: after every migrate the groups and their
        # permissions are brought to what accounts/roles.py says (idempotent).
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
