"""The audit events of the registry (operators, spaces) and utilization returns: one catalogue."""

from django.db import models


class RegistryEvent(models.TextChoices):
    OPERATOR_CREATE = "operator.create"
    OPERATOR_REGISTER = "operator.register"
    OPERATOR_UPDATE = "operator.update"
    OPERATOR_MEMBER_ADD = "operator.member_add"
    OPERATOR_MEMBER_REMOVE = "operator.member_remove"
    OPERATOR_VERIFY = "operator.verify"
    SPACE_CREATE = "space.create"
    SPACE_UPDATE = "space.update"
    SPACE_ADMIT = "space.admit"
    SPACE_DECLINE = "space.decline"
    IMPORT_QUEUE = "registry_import.queue"
    IMPORT_START = "registry_import.start"
    IMPORT_DONE = "registry_import.done"
    IMPORT_FAIL = "registry_import.fail"
    UTILIZATION_FILE = "utilization.file"
    UTILIZATION_REPLACE = "utilization.replace"
