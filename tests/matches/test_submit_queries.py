"""The check at application submit: a few indexed queries whatever the registry holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matches import finders
from matches.models import Match
from matches.services.checks import matches_check_application
from spaces.models import Operator

from .conftest import application_of, company, document, sha

pytestmark = pytest.mark.django_db


def test_the_submit_check_stays_within_ten_queries(django_assert_max_num_queries):
    others = [company() for _ in range(30)]
    for n, other in enumerate(others):
        document(application_of(other), sha(f"other {n}"))
    mine = company()
    app = application_of(mine)
    for n in range(5):
        document(app, sha(f"mine {n}"))
    finders.type_id(Operator)  # content types are cached once per process, as in a running server
    with django_assert_max_num_queries(10):
        assert matches_check_application(application=app) == []


def test_the_submit_check_finds_a_shared_file_and_counts_its_writes():
    a, b = company(), company()
    document(application_of(b), sha("the receipt"))
    app = application_of(a)
    document(app, sha("the receipt"))
    with CaptureQueriesContext(connection) as queries:
        found = matches_check_application(application=app)
    assert [m.rule for m in found] == ["file"] and Match.objects.count() == 1
    assert matches_check_application(application=app) == []  # found again: still one match
    assert len(queries) < 25
