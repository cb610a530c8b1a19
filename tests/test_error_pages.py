"""With DEBUG off (production), a wrong address gets the site's own 404 page in its language, never
Django's debug page listing every URL."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_a_mistyped_address_gets_the_sites_404_page(client):
    response = client.get("/awards/verify/NOT-A-CODE-XYZ/does-not-exist/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "Go to the home page" in page
    assert "URLconf" not in page and "django-admin/" not in page


@override_settings(DEBUG=False)
def test_the_404_page_in_urdu(client):
    response = client.get("/ur/no-such-page-at-all/")
    assert response.status_code == 404
    assert 'dir="rtl"' in response.content.decode()
