from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    # The HTTP API for machine clients (issue #21): no language prefix, problems in Accept-Language's.
    path("api/v1/", include("api.urls")),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("accounts.urls")),
    path("portal/", include("spaces.urls")),
    path("workbench/operators/", include("spaces.urls_workbench")),
    path("vouchers/", include("vouchers.urls")),
    path("workbench/vouchers/", include("vouchers.urls_workbench")),
    path("workbench/matches/", include("matches.urls")),
    path("", include("grants.urls")),
    path("", include("reporting.urls")),
    path("finance/", include("finance.urls")),
    path("", include("loans.urls")),
    path("", include("integrity.urls")),
    path("", include("onewindow.urls")),
    path("", include("cms.urls")),
    # Wagtail's catch-all last: everything else is a page of the public site.
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
