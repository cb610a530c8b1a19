import pytest
from django.core import mail

from notifications.models import Notification
from notifications.selectors import unread_notifications_for
from notifications.services import notification_mark_read, notify
from notifications.tasks import send_notification_emails
from tests.grants.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_writes_rows_and_emails_once_on_commit(django_capture_on_commit_callbacks):
    ayesha, bilal = UserFactory(email="ayesha@example.pk"), UserFactory(email="bilal@example.pk")
    inactive = UserFactory(email="gone@example.pk", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(recipients=[ayesha, bilal, ayesha, inactive], subject="Hello", body="Body", url="/portal/x/")
    assert sorted(n.recipient.email for n in rows) == ["ayesha@example.pk", "bilal@example.pk"]
    assert sorted(m.to[0] for m in mail.outbox) == ["ayesha@example.pk", "bilal@example.pk"]
    assert mail.outbox[0].body.endswith("/portal/x/")
    # A retried or duplicated task sends nothing twice.
    assert send_notification_emails([n.pk for n in rows]) == 0
    assert len(mail.outbox) == 2


def test_unread_and_mark_read():
    ayesha, bilal = UserFactory(), UserFactory()
    (first,) = notify(recipients=[ayesha], subject="One", body="")
    notify(recipients=[ayesha], subject="Two", body="")
    notify(recipients=[bilal], subject="Not hers", body="")
    assert [n.subject for n in unread_notifications_for(ayesha)] == ["Two", "One"]
    notification_mark_read(notification=first, actor=ayesha)
    assert [n.subject for n in unread_notifications_for(ayesha)] == ["Two"]
    with pytest.raises(PermissionError):
        notification_mark_read(notification=first, actor=bilal)
    assert Notification.objects.get(pk=first.pk).read_at is not None


def test_no_recipients_no_rows():
    assert notify(recipients=[], subject="x", body="y") == []
