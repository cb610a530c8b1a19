"""The audit chain: intact after real transitions; `verify_audit` names the row edited behind its back."""

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from grants import services
from tests.grants.conftest import complete_grant

from .tampering import TABLE, tamper

pytestmark = pytest.mark.django_db


def test_verify_audit_ok_then_names_the_edited_row(grant_call, operator, space, operator_user, officer, capsys):
    app = complete_grant(grant_call, operator, space, operator_user)
    app = services.application_submit(application=app, actor=operator_user)
    services.application_start_screening(application=app, actor=officer)
    count = AuditEvent.objects.count()
    call_command("verify_audit")
    assert capsys.readouterr().out.strip() == f"OK: {count} events, chain intact."

    target = AuditEvent.objects.get(action="application.submit")
    tamper(f"UPDATE {TABLE} SET actor_label = %s WHERE id = %s", ["someone else", target.pk])  # noqa: S608
    with pytest.raises(CommandError) as broken:
        call_command("verify_audit")
    assert str(broken.value).startswith(
        f"BROKEN at audit event {target.pk}: its contents do not match its hash (edited)."
    )


def test_audit_rows_cannot_be_changed_through_the_orm(grant_call, operator, space, operator_user):
    complete_grant(grant_call, operator, space, operator_user)
    event = AuditEvent.objects.first()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="edited")
    with pytest.raises(PermissionError):
        event.save()
