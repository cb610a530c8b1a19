"""Dates and times as people read them: in Pakistan time (settings.TIME_ZONE, Asia/Karachi) and through
Django's localisation, so /ur/ shows Urdu month names. Never `strftime` for text a person reads: it
formats the stored UTC time and always in English."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone

DATE = "j F Y"
DATETIME = "j F Y, H:i"


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def show_date(value: dt.date | dt.datetime | None) -> str:
    """'5 February 2027' (the day in Pakistan when given an aware datetime); '—' for none."""
    if value is None:
        return "—"
    return formats.date_format(_local(value), DATE)


def show_datetime(value: dt.datetime | None) -> str:
    """'5 February 2027, 02:12' in Pakistan time; '—' for none."""
    if value is None:
        return "—"
    return formats.date_format(_local(value), DATETIME)
