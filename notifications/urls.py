"""Notification pages. Included by grants/urls.py (namespace "grants"), so the names are
grants:notification_list, grants:notification_open, grants:notifications_mark_read and
grants:notification_preferences."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("read-all/", views.mark_all_read, name="notifications_mark_read"),
    path("preferences/", views.preferences, name="notification_preferences"),
    path("<int:pk>/", views.notification_open, name="notification_open"),
]
