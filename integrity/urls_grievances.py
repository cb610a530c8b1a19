"""Grievance pages (integrity/views/grievances.py): anyone without an account, operators, and the
integrity desk (404 for everyone else)."""

from django.urls import path

from .views import grievances

urlpatterns = [
    # Anyone, without an account
    path("grievances/new/", grievances.public_new, name="grievance_public_new"),
    path("grievances/filed/", grievances.public_filed, name="grievance_filed"),
    path("grievances/track/", grievances.track, name="grievance_track"),
    path("grievances/track/<str:reference>/", grievances.tracked, name="grievance_tracked"),
    # Operators (portal)
    path("portal/grievances/", grievances.portal_list, name="portal_grievances"),
    path("portal/grievances/new/", grievances.portal_new, name="portal_grievance_new"),
    path("portal/grievances/<str:reference>/", grievances.portal_detail, name="portal_grievance"),
    # The integrity desk
    path("integrity/desk/grievances/", grievances.desk_list, name="grievance_desk"),
    path("integrity/desk/grievances/flagged/", grievances.desk_flagged, name="grievance_flagged"),
    path("integrity/desk/grievances/escalations/", grievances.desk_head, name="grievance_escalations"),
    path("integrity/desk/grievances/helpline/", grievances.desk_helpline, name="grievance_helpline"),
    path("integrity/desk/grievances/<str:reference>/", grievances.desk_detail, name="grievance_detail"),
    path(
        "integrity/desk/grievances/<str:reference>/evidence/<int:pk>/",
        grievances.desk_evidence,
        name="grievance_evidence",
    ),
    path("integrity/desk/grievances/<str:reference>/<slug:action>/", grievances.desk_action, name="grievance_action"),
]
