"""Shared test set-up.

- `postgres` tests need row locks and real concurrency: they skip on SQLite, saying so.
- `browser` tests drive Debian's Chromium (/usr/bin/chromium) through Playwright; they skip where it
  is not installed (a developer's bare machine). CI installs it, so there they run.
"""

import os
import shutil

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    for item in items:
        if "browser" in item.keywords and not shutil.which(chromium):
            item.add_marker(pytest.mark.skip(reason=f"Chromium is not installed at {chromium} (CI installs it)"))


@pytest.fixture(autouse=True)
def _skip_postgres_only_on_sqlite(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for row locks; set DATABASE_URL=postgres://... (CI does)")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a header count or a throttle kept by one test is not the
    next test's."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """Each test starts in English: a test that visits /ur/ must not leave Urdu active for the next."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True, scope="session")
def _test_payment_sources():
    """Finance's and the reports' tests pay a space, a company, an application or another row of spaces
    and grants directly (no instrument in between); the general ledger must know what those payments
    debit, as an instrument's AppConfig.ready() says for its own sources (finance.journal.payment_account).
    The instruments' real sources keep their own registration; other apps' models stay unregistered, so
    the refusal of an unregistered source is still tested."""
    from django.apps import apps

    from finance.journal import Account, _payment_accounts, payment_account

    for app_label in ("spaces", "grants"):
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.label_lower not in _payment_accounts:
                payment_account(model._meta.label_lower, Account.GRANT_EXPENDITURE, accrues=True)
