"""/performance/ shows the one window's figures per department and service (issue #16): filed, issued,
refused, still open, the median working days to a decision and the share decided within the promised
time, for this fiscal year or all time, in English and Urdu; requests made through the services."""

import datetime as dt

import pytest

from onewindow.services import requests as services
from tests.cms.conftest import home, performance_page  # noqa: F401 - fixtures, by name

from .conftest import at, pdf

pytestmark = pytest.mark.django_db


def filed(operator_user, operator, service):
    request = services.request_draft(actor=operator_user, service=service, operator=operator)
    services.request_save_answers(actor=operator_user, request=request, answers={"floors": "2", "alarm": "yes"})
    services.request_attach(actor=operator_user, request=request, document_type="lease_agreement", upload=pdf())
    return services.request_submit(actor=operator_user, request=request)


def issue(desk, request, day):
    with at(day):
        services.request_start(actor=desk, request=request)
        services.request_issue(actor=desk, request=request, number=f"N-{request.pk}", issued_on=day, pdf=pdf())


@pytest.fixture
def requests_made(monday, operator_user, operator, service, desk):
    """FY2026-27: one issued in 2 working days, one refused in 19 (late: 10 promised), one still open,
    one withdrawn and one draft (neither counted). FY2025-26: one issued in 4 working days."""
    department = service.department
    department.name_ur = "ریسکیو 1122"
    department.save()
    with at(dt.date(2026, 6, 15)):
        last_year = filed(operator_user, operator, service)
    issue(desk, last_year, dt.date(2026, 6, 19))
    quick, late, waiting, withdrawn = (filed(operator_user, operator, service) for _n in range(4))
    issue(desk, quick, dt.date(2026, 12, 9))
    with at(dt.date(2027, 1, 4)):
        services.request_refuse(actor=desk, request=late, reason="No second exit.", rule="Means of escape")
    services.request_withdraw(actor=operator_user, request=withdrawn, reason="Moved elsewhere.")
    services.request_draft(actor=operator_user, service=service, operator=operator)
    return waiting


def _row(html: str, name: str) -> list[str]:
    """The cells of the service's row, as text."""
    import re

    row = html[html.index(name) :]
    row = row[: row.index("</tr>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_this_fiscal_years_figures_per_department_and_service(client, performance_page, requests_made):  # noqa: F811
    html = client.get(performance_page.url).content.decode()

    assert "One window: other departments' services" in html
    assert "This fiscal year (FY2026-27): requests submitted since 1 July." in html
    assert "<h3>Rescue 1122</h3>" in html
    assert "promised in 10 working days" in html
    # filed, issued, refused, still open, median working days (2 and 19), share within the promise
    assert _row(html, "Fire safety certificate") == ["3", "1", "1", "1", "10.5", "50%"]


def test_all_time_adds_last_years_requests_and_says_so(client, performance_page, requests_made):  # noqa: F811
    html = client.get(performance_page.url + "?one_window=all").content.decode()

    assert "All time: every request submitted since the one window opened." in html
    assert _row(html, "Fire safety certificate") == ["4", "2", "1", "1", "4", "67%"]


def test_the_urdu_page_names_the_department_and_service_in_urdu(client, performance_page, requests_made):  # noqa: F811
    html = client.get("/ur" + performance_page.url).content.decode()

    assert "<h3>ریسکیو 1122</h3>" in html
    assert "آگ سے حفاظت کا سرٹیفکیٹ" in html
    assert "Fire safety certificate" not in html


def test_nothing_submitted_this_year_is_said_plainly(client, performance_page, monday):  # noqa: F811
    html = client.get(performance_page.url).content.decode()
    assert "No request has been submitted this fiscal year yet." in html
