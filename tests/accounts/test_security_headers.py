"""Security issue #14: a Content-Security-Policy without 'unsafe-inline' on every page of ours, and no
inline script or style left in the project's templates for it to block."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts import roles
from tests.cms.conftest import home  # noqa: F401 — the public site's home page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def assert_strict_policy(response):
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_public_and_sign_in_pages_carry_a_strict_policy(client, home):  # noqa: F811
    for path in (
        "/",
        "/ur/",
        reverse("accounts:login"),
        reverse("accounts:sign_up"),
        reverse("accounts:password_reset"),
    ):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        assert_strict_policy(response)


@pytest.mark.parametrize(
    ("role", "page"),
    [(roles.OPERATOR, "portal:dashboard"), (roles.PROGRAM_OFFICER, "workbench_operators:list")],
)
def test_signed_in_pages_carry_a_strict_policy(client, role, page):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse(page))
    assert response.status_code == 200
    assert_strict_policy(response)


def test_the_admins_inline_scripts_are_left_out_of_the_policy(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for path in ("/cms-admin/", "/django-admin/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Content-Security-Policy" not in response


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_no_template_of_ours_has_inline_script_or_style():
    base = Path(settings.BASE_DIR)
    offenders = [
        f"{path.relative_to(base)}:{number}"
        for path in base.rglob("*.html")
        if not {".venv", ".ci", "node_modules", "staticfiles"} & set(path.relative_to(base).parts)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INLINE.search(line)
    ]
    assert offenders == []
