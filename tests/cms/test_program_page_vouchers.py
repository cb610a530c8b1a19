"""A seat-voucher program's public page (issues #17 and #18): its open rounds and their terms, with the
way in for freelancers, instead of calls for operators; in English and in Urdu."""

from django.utils import translation

from cms.models import ProgramPage
from tests.vouchers.conftest import make_round

from .conftest import add


def test_a_seat_voucher_program_page_lists_its_open_rounds(client, programs_index, db):
    round_ = make_round(title="Seat vouchers 2026–27, round 1")
    page = add(
        programs_index,
        ProgramPage(title="e-Earn seat subsidy", slug="seat-subsidy", program=round_.program, intro="Seats."),
    )
    html = client.get(page.url).content.decode()
    assert "Voucher rounds open now" in html and "Calls for applications" not in html
    assert f'href="/vouchers/rounds/{round_.reference}/"' in html
    assert "<dd>70%</dd>" in html and "<dd>PKR 7,000</dd>" in html and "<dd>18 to 40</dd>" in html
    with translation.override("ur"):
        urdu = client.get(page.url).content.decode()
    assert f'href="/ur/vouchers/rounds/{round_.reference}/"' in urdu
