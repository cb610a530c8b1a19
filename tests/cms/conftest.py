"""A small public site: home, programs index, one program page with one call page, and the other
section pages, made as the site's root. Calls and programs come from the shared factories."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone, translation
from wagtail.models import Page, Site

from cms.models import (
    CallPage,
    HomePage,
    NewsIndexPage,
    PerformancePage,
    ProgramIndexPage,
    ProgramPage,
    SpaceDirectoryPage,
)
from tests.factories import CallFactory, ProgramFactory


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request to an /ur/ page leaves Urdu active in the thread (LocaleMiddleware activates, nothing
    deactivates); later code outside a request would then speak Urdu. Each test ends in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def publish(page):
    page.save_revision().publish()
    return page


def add(parent, page):
    parent.add_child(instance=page)
    return publish(page)


@pytest.fixture
def home(db):
    root = Page.get_first_root_node()
    home = add(
        root,
        HomePage(
            title="Sahulat test home",
            slug="sahulat-test",
            intro="Support for coworking spaces.",
            title_ur="سہولت آزمائشی سرورق",
            intro_ur="کوورکنگ اسپیسز کے لیے معاونت۔",
        ),
    )
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Sahulat"}
    )
    return home


@pytest.fixture
def programs_index(home):
    return add(home, ProgramIndexPage(title="Programs and calls", slug="programs", show_in_menus=True))


@pytest.fixture
def program(db):
    return ProgramFactory(name="Coworking Growth Grant", slug="growth-grant", code="GR")


@pytest.fixture
def call(program):
    now = timezone.now()
    return CallFactory(
        program=program,
        title="Growth grant round 1",
        reference="growth-grant-round-1",
        opens_at=now - dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=30),
    )


@pytest.fixture
def program_page(programs_index, program):
    return add(
        programs_index,
        ProgramPage(
            title="Coworking Growth Grant",
            title_ur="کوورکنگ ترقیاتی گرانٹ",
            slug="growth-grant",
            program=program,
            intro="Matching grants for operators.",
            body=[("eligibility", {"intro": "", "criteria": ["Registered with FBR."]})],
        ),
    )


@pytest.fixture
def call_page(program_page, call):
    return add(program_page, CallPage(title="Round 1", slug="round-1", call=call, intro="Apply now."))


@pytest.fixture
def directory_page(home):
    return add(home, SpaceDirectoryPage(title="Space directory", slug="spaces", show_in_menus=True))


@pytest.fixture
def performance_page(home):
    return add(home, PerformancePage(title="Performance", slug="performance", show_in_menus=True))


@pytest.fixture
def news_index(home):
    return add(home, NewsIndexPage(title="News", slug="news", show_in_menus=True))
