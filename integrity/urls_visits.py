"""Visit pages (integrity/views/visits.py): inspectors, schedulers, operators, the public check."""

from django.urls import path

from .views import public, visits

urlpatterns = [
    path("visits/mine/", visits.visit_mine, name="visit_mine"),
    path("visits/new/", visits.visit_new, name="visit_new"),
    path("visits/queue/", visits.visit_queue, name="visit_queue"),
    path("visits/<str:reference>/", visits.visit_detail, name="visit_detail"),
    path("visits/<str:reference>/schedule/", visits.visit_schedule, name="visit_schedule"),
    path("visits/<str:reference>/refuse/", visits.visit_refuse, name="visit_refuse"),
    path("visits/<str:reference>/cancel/", visits.visit_cancel, name="visit_cancel"),
    path("visits/<str:reference>/outcome/", visits.visit_outcome, name="visit_outcome"),
    path("visits/<str:reference>/no-show/", visits.visit_no_show, name="visit_no_show"),
    path("visits/<str:reference>/notices/<int:pk>/", visits.visit_notice_download, name="visit_notice_download"),
    path("portal/visits/", visits.portal_visits, name="portal_visits"),
    path("portal/visits/unregistered/", visits.portal_unregistered_visit, name="portal_unregistered_visit"),
    path("portal/visits/<str:reference>/answer/", visits.portal_visit_answer, name="portal_visit_answer"),
    path("verify/visit/", visits.verify_visit_form, name="verify_visit_form"),
    path("verify/visit/<str:code>/", visits.verify_visit, name="verify_visit"),
    path("integrity/desk/visits/", visits.visit_watch, name="visit_watch"),
    # The public figures (counts only).
    path("integrity/", public.integrity_public, name="public_figures"),
    path("integrity/figures.csv", public.integrity_public_csv, name="public_figures_csv"),
]
