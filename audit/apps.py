from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        # core.workflow writes every state change's event through this app's chain (core imports no app).
        from core.workflow import register_audit_writer

        from .services import audit_record

        register_audit_writer(audit_record)
