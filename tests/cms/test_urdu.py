"""English and Urdu: Urdu pages under /ur/, right-to-left, with Urdu content where editors wrote it,
Urdu interface strings, and a language switcher that stays on the same page."""

import re

import pytest

pytestmark = pytest.mark.django_db


def switcher_next(html: str) -> str:
    form = re.search(r'<form class="language-switcher".*?</form>', html, re.S).group(0)
    return re.search(r'name="next" value="([^"]*)"', form).group(1)


def test_the_urdu_home_page_is_right_to_left_with_urdu_text(client, home, call_page):
    response = client.get("/ur/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ur" dir="rtl">' in html
    assert "<h1>سہولت آزمائشی سرورق</h1>" in html  # the page's Urdu title
    assert "کوورکنگ اسپیسز کے لیے معاونت۔" in html  # and introduction
    assert "مرکزی مواد پر جائیں" in html  # "Skip to main content", from the .mo catalogue
    assert "کھلی کالز" in html  # "Open calls"
    # Links stay in Urdu.
    assert 'href="/ur/programs/growth-grant/round-1/"' in html


def test_the_english_home_page_is_left_to_right(client, home):
    html = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "<h1>Sahulat test home</h1>" in html


def test_english_text_on_an_urdu_page_is_marked_as_english(client, call_page):
    html = client.get("/ur/programs/growth-grant/round-1/").content.decode()
    # The call page has no Urdu title yet: the English one is shown, marked for screen readers.
    assert '<h1 lang="en" dir="ltr">Round 1</h1>' in html
    assert "درخواست دیں" in html  # "Apply"


def test_the_urdu_program_page_uses_urdu_content_and_labels(client, program_page):
    html = client.get("/ur/programs/growth-grant/").content.decode()
    assert "<h1>کوورکنگ ترقیاتی گرانٹ</h1>" in html
    assert "کون درخواست دے سکتا ہے" in html  # the eligibility block's heading


@pytest.mark.parametrize(
    ("start", "language", "expected"),
    [
        ("/programs/growth-grant/", "ur", "/ur/programs/growth-grant/"),
        ("/ur/programs/growth-grant/", "en", "/programs/growth-grant/"),
        ("/ur/programs/growth-grant/", "ur", "/ur/programs/growth-grant/"),
        ("/spaces/?division=Lahore", "ur", "/ur/spaces/?division=Lahore"),
        ("/ur/", "en", "/"),
        ("/accounts/login/", "ur", "/ur/accounts/login/"),
    ],
)
def test_switching_language_keeps_the_page(client, program_page, directory_page, start, language, expected):
    html = client.get(start).content.decode()
    response = client.post("/i18n/setlang/", {"language": language, "next": switcher_next(html)})
    assert response.status_code == 302
    assert response["Location"] == expected
    assert client.get(response["Location"]).status_code == 200


def test_the_urdu_web_font_is_shipped_with_its_licence():
    from pathlib import Path

    from django.conf import settings

    fonts = Path(settings.BASE_DIR) / "static" / "fonts"
    css = (Path(settings.BASE_DIR) / "static" / "css" / "sahulat.css").read_text()
    assert (fonts / "NotoNastaliqUrdu-Regular.ttf").stat().st_size > 100_000
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts / "OFL.txt").read_text()
    assert 'url("../fonts/NotoNastaliqUrdu-Regular.ttf")' in css
    assert 'html[lang="ur"] body { font-family: var(--font-urdu)' in css
    # Right-to-left safe: no physical left/right in the stylesheet's rules.
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert not re.search(r"\b(left|right)\b", rules)
