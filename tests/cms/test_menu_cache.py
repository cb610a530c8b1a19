"""Issue #23: the public menu is on every page, so it is kept in the cache per language and read again
when a page is published, unpublished, moved or deleted."""

import pytest

from cms.models import NewsIndexPage, PerformancePage

from .conftest import add

pytestmark = pytest.mark.django_db


def menu_of(client, url="/") -> str:
    html = client.get(url).content.decode()
    menu = html[html.index('class="site-nav"') :]
    return menu[: menu.index("</nav>")]


def test_a_published_page_joins_the_menu_and_an_unpublished_one_leaves_it(client, home):
    add(home, PerformancePage(title="Performance", slug="performance", show_in_menus=True))
    assert "Performance" in menu_of(client)

    news = add(home, NewsIndexPage(title="News and notices", slug="news", show_in_menus=True))
    assert "News and notices" in menu_of(client)

    news.unpublish()
    assert "News and notices" not in menu_of(client)
    assert "Performance" in menu_of(client)


def test_the_menu_costs_no_query_once_kept(client, home):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cms.templatetags.cms_tags import menu_cache_key

    add(home, PerformancePage(title="Performance", slug="performance", show_in_menus=True))
    with CaptureQueriesContext(connection) as first:
        client.get("/")
    assert [title for _url, title, _path in cache.get(menu_cache_key())] == ["Performance"]
    with CaptureQueriesContext(connection) as second:
        client.get("/")

    assert len(second) <= len(first) - 2  # the home page and its children in the menu


def test_each_language_has_its_own_menu(client, home):
    add(home, PerformancePage(title="Performance", title_ur="کارکردگی", slug="performance", show_in_menus=True))

    assert "Performance" in menu_of(client, "/")
    assert "کارکردگی" in menu_of(client, "/ur/")
