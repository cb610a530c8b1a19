"""Shared set-up for the utilization tests: a company with spaces, a frozen 'today', good figures."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from accounts import roles
from tests.factories import OperatorFactory, SpaceFactory, UserFactory

# 15 October 2025: September 2025 is the last closed month; Q1 FY2025-26 (Jul–Sep) has ended.
TODAY = dt.datetime(2025, 10, 15, 10, 0, tzinfo=ZoneInfo("Asia/Karachi"))
SEPTEMBER = dt.date(2025, 9, 1)
AUGUST = dt.date(2025, 8, 1)
OCTOBER = dt.date(2025, 10, 1)


def good_figures(**overrides) -> dict[str, int]:
    figures = {
        "seats_offered": 60,
        "seats_allotted": 45,
        "seat_days_available": 1560,
        "seat_days_used": 1100,
        "members": 70,
        "women_members": 25,
        "freelancers": 40,
        "startups": 8,
        "meeting_room_hours_available": 520,
        "meeting_room_hours_booked": 300,
    }
    figures.update(overrides)
    return figures


def company(n_spaces: int = 2, **operator_kwargs):
    """An operator person, their company and its spaces (codes LHR-9xx)."""
    user = UserFactory(roles=[roles.OPERATOR])
    operator = OperatorFactory(members=[user], **operator_kwargs)
    spaces = [SpaceFactory(operator=operator) for _ in range(n_spaces)]
    return user, operator, spaces


def workbook_from(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))


def upload_bytes(wb) -> io.BytesIO:
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "returns.xlsx"
    return buffer
