"""Links in emails name the address the site is served at (issue #17 item 12: the verification link always
named port 8000)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from accounts.tasks import send_verification_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _link() -> str:
    return re.search(r"(https?://\S+/verify/\S+)", mail.outbox[-1].body).group(1)


def test_the_verification_link_uses_the_configured_address():
    person = UserFactory(email="new@example.pk", email_verified_at=None)
    with override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8080/"):
        assert send_verification_email(person.pk, "en") == "sent"
    assert _link().startswith("http://127.0.0.1:8080/accounts/")
    with override_settings(SITE_URL="https://sahulat.punjab.gov.pk", WAGTAILADMIN_BASE_URL="http://127.0.0.1:8000"):
        send_verification_email(person.pk, "ur")
    assert _link().startswith("https://sahulat.punjab.gov.pk/ur/accounts/")


def test_the_demo_serves_and_links_at_the_same_port():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert 'WAGTAILADMIN_BASE_URL="$${WAGTAILADMIN_BASE_URL:-http://$(HOST):$(PORT)}"' in recipe
    assert "runserver $(HOST):$(PORT)" in recipe
