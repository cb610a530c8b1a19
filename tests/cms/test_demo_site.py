"""The demo public site: built on the demo network, in both languages, and idempotent."""

import io

import pytest
from wagtail.models import Page

from cms.models import CallPage, FaqPage, HomePage, NewsPage, PerformancePage, ProgramPage, SpaceDirectoryPage
from fixtures.demo_network import load_demo_network
from fixtures.demo_site import load_demo_site

pytestmark = pytest.mark.django_db


def test_demo_site_has_every_page_in_both_languages_and_loads_twice(client):
    load_demo_network()
    assert load_demo_site(stdout=io.StringIO()) > 0
    pages = Page.objects.count()
    assert load_demo_site() == 0
    assert Page.objects.count() == pages

    home = HomePage.objects.get()
    assert home.title_ur and len(home.body_ur) > 0
    program_pages = ProgramPage.objects.live().select_related("program")
    assert sorted(p.program.code for p in program_pages) == ["GR", "SL", "US"]
    for page in program_pages:
        assert page.title_ur and page.intro_ur and len(page.body_ur) > 0
        open_calls = [call for call in page.program.calls.all() if call.is_open()]
        assert open_calls and all(CallPage.objects.child_of(page).filter(call=c).exists() for c in open_calls)
    assert NewsPage.objects.live().count() >= 3
    for model in (FaqPage, SpaceDirectoryPage, PerformancePage):
        assert model.objects.live().count() == 1

    for url in (
        "/",
        "/ur/",
        "/programs/",
        "/ur/programs/soft-loan/",
        "/spaces/",
        "/performance/",
        "/news/",
        "/questions/",
        "/ur/questions/",
    ):
        assert client.get(url).status_code == 200, url
    html = client.get("/ur/programs/power-relief/").content.decode()
    assert "کوورکنگ بجلی ریلیف" in html and "تازہ ترین بل" in html  # Urdu content and the document list
