"""Seat-voucher pages (issue #18): each page renders for its role, each action works through its page and
is refused to the wrong person (another freelancer or another space's operator: 404; anyone but a
program officer on the workbench: 403; anonymous: sign in first), the CNIC is never shown in full, and
every page renders in Urdu."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from accounts import roles
from integrity.models import Grievance
from tests.factories import UserFactory
from vouchers.models import SeatClaim, SeatConfirmation, Voucher, VoucherDocument, VoucherState
from vouchers.services.claims import seat_claim_submit, seat_claim_verify
from vouchers.services.vouchers import voucher_apply, voucher_approve, voucher_start

from .conftest import NOW, at, make_freelancer, make_offer, make_round, operator_staff, png

pytestmark = pytest.mark.django_db

V = VoucherState
CNIC = "35202-7654321-5"
CNIC_DIGITS = ("7654321", "3520276543215")


def apply(user, round_, offer, seat_type="hot_desk"):
    return voucher_apply(actor=user, round=round_, offer=offer, seat_type=seat_type)


def text(response) -> str:
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def holder(now):
    return make_freelancer(cnic=CNIC)


@pytest.fixture
def applied(round_, offer, holder):
    return apply(holder, round_, offer)


@pytest.fixture
def approved(applied, officer):
    voucher_approve(actor=officer, voucher=applied)
    applied.refresh_from_db()
    return applied


@pytest.fixture
def started(now, officer):
    """A voucher started on 1 October 2026 (the month before NOW), with its round and offer."""
    round_ = make_round(opens_at=NOW - dt.timedelta(days=60))
    offer = make_offer(round_)
    with at(dt.date(2026, 10, 1), hour=9):
        voucher = apply(make_freelancer(cnic=CNIC), round_, offer)
        voucher_approve(actor=officer, voucher=voucher)
        voucher_start(actor=operator_staff(offer), voucher=voucher, start_date=dt.date(2026, 10, 1))
    voucher.refresh_from_db()
    return voucher


# --- who sees what ------------------------------------------------------------------------------------


def test_anyone_reads_what_a_seat_voucher_is_and_finds_the_sign_up(client, round_, offer):
    page = text(client.get(reverse("vouchers:home")))
    assert "Seat vouchers for freelancers" in page and reverse("accounts:sign_up") in page
    assert round_.title in page
    round_page = text(client.get(reverse("vouchers:round", args=[round_.reference])))
    assert offer.space.name in round_page and "70% of the seat fee" in round_page
    assert "PKR 7,000" in round_page and "PKR 8,000" in round_page
    # The footer links to it on every page.
    assert reverse("vouchers:home") in text(client.get(reverse("onewindow:catalogue")))


def test_anonymous_people_are_sent_to_sign_in(client, applied):
    login = reverse("accounts:login")
    for url in (
        reverse("vouchers:profile"),
        reverse("vouchers:voucher", args=[applied.reference]),
        reverse("vouchers:seats"),
        reverse("vouchers:claim_new"),
        reverse("vouchers_workbench:queue"),
        reverse("vouchers_workbench:claims"),
        reverse("vouchers_workbench:voucher", args=[applied.reference]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(login), url
    response = client.post(
        reverse("vouchers:round", args=[applied.round.reference]), {"offer": applied.offer_id, "seat_type": "hot_desk"}
    )
    assert response.status_code == 302 and response.url.startswith(login)
    assert Voucher.objects.count() == 1


def _voucher_urls(ref):
    return [
        ("get", reverse("vouchers:voucher", args=[ref]), {}),
        ("post", reverse("vouchers:voucher_confirm", args=[ref]), {"month": "2026-10-01", "used": "yes"}),
        ("post", reverse("vouchers:voucher_overcharge", args=[ref]), {"charged": "9000", "what_happened": "x"}),
        ("post", reverse("vouchers:voucher_withdraw", args=[ref]), {}),
        ("post", reverse("vouchers:voucher_start", args=[ref]), {"start_date": "2026-11-02"}),
        ("post", reverse("vouchers:voucher_end", args=[ref]), {"ended_on": "2026-11-02", "reason": "left"}),
        ("post", reverse("vouchers:voucher_no_show", args=[ref]), {}),
    ]


def test_another_freelancer_and_another_spaces_operator_find_nothing(client, approved, round_):
    other_freelancer = make_freelancer()
    other_operator = operator_staff(make_offer(round_))
    for person in (other_freelancer, other_operator, UserFactory(roles=[roles.FINANCE_MAKER])):
        client.force_login(person)
        for method, url, data in _voucher_urls(approved.reference):
            assert getattr(client, method)(url, data).status_code == 404, (person, url)
    client.force_login(other_operator)
    assert approved.reference not in text(client.get(reverse("vouchers:seats")))
    assert Voucher.objects.get(pk=approved.pk).state == V.APPROVED


def test_a_freelancer_or_operator_is_refused_the_workbench(client, approved, offer):
    for person in (approved.freelancer.user, operator_staff(offer)):
        client.force_login(person)
        for url in (
            reverse("vouchers_workbench:queue"),
            reverse("vouchers_workbench:claims"),
            reverse("vouchers_workbench:voucher", args=[approved.reference]),
        ):
            assert client.get(url).status_code == 403, url
        response = client.post(reverse("vouchers_workbench:approve"))
        assert response.status_code == 403
        refused = client.post(reverse("vouchers_workbench:voucher_refuse", args=[approved.reference]), {"reason": "x"})
        assert refused.status_code == 403


def test_an_operator_without_a_space_and_a_freelancer_find_no_operator_pages(client, holder):
    client.force_login(holder)
    assert client.get(reverse("vouchers:seats")).status_code == 404
    assert client.get(reverse("vouchers:claim_new")).status_code == 404
    client.force_login(UserFactory(roles=[roles.PROGRAM_OFFICER]))
    assert client.get(reverse("vouchers:profile")).status_code == 404


def test_the_navigation_links_each_role_to_its_page(client, offer, holder, officer):
    client.force_login(holder)
    assert f'href="{reverse("vouchers:home")}">My seat voucher' in text(client.get(reverse("vouchers:home")))
    client.force_login(operator_staff(offer))
    assert f'href="{reverse("vouchers:seats")}">Voucher seats' in text(client.get(reverse("vouchers:seats")))
    client.force_login(officer)
    page = text(client.get(reverse("vouchers_workbench:queue")))
    assert f'href="{reverse("vouchers_workbench:queue")}">Seat vouchers' in page


# --- the freelancer -----------------------------------------------------------------------------------


def test_a_new_freelancer_fills_in_the_profile_and_uploads_the_cnic(client, now):
    user = UserFactory(roles=[roles.FREELANCER])
    client.force_login(user)
    assert "Fill in your profile" in text(client.get(reverse("vouchers:home")))
    form = {
        "cnic": CNIC,
        "date_of_birth": "1999-03-04",
        "gender": "woman",
        "domicile": "punjab",
        "district": "Lahore",
        "skills": "Translation",
        "marketplace_url": "https://www.fiverr.com/someone",
    }
    bad = client.post(reverse("vouchers:profile"), {**form, "cnic": "35202-123"})
    assert bad.status_code == 400 and "field--error" in text(bad)
    saved = client.post(reverse("vouchers:profile"), form, follow=True)
    assert "Your profile is saved." in messages_of(saved)
    page = text(saved)
    assert "••••1-5" in page and not any(digits in page for digits in CNIC_DIGITS)
    added = client.post(reverse("vouchers:document_add"), {"kind": "cnic", "file": png()}, follow=True)
    assert "The document is added." in messages_of(added)
    document = VoucherDocument.objects.get(freelancer__user=user)
    home = text(client.get(reverse("vouchers:home")))
    assert "CNIC (both sides)" in home and not any(digits in home for digits in CNIC_DIGITS)
    assert client.get(reverse("vouchers:document", args=[document.pk])).status_code == 200
    client.force_login(make_freelancer())
    assert client.get(reverse("vouchers:document", args=[document.pk])).status_code == 404
    client.force_login(UserFactory(roles=[roles.PROGRAM_OFFICER]))
    assert client.get(reverse("vouchers:document", args=[document.pk])).status_code == 200


def test_the_freelancer_applies_from_the_rounds_page(client, round_, offer, holder):
    client.force_login(holder)
    page = text(client.get(reverse("vouchers:round", args=[round_.reference])))
    assert "Apply for a voucher" in page
    response = client.post(
        reverse("vouchers:round", args=[round_.reference]), {"offer": offer.pk, "seat_type": "dedicated_desk"}
    )
    voucher = Voucher.objects.get(freelancer__user=holder)
    assert response.status_code == 302 and response.url == reverse("vouchers:voucher", args=[voucher.reference])
    assert voucher.seat_type == "dedicated_desk" and voucher.state == V.APPLIED
    page = text(client.get(response.url))
    assert "Applied: waiting for the officer" in page and offer.space.name in page
    assert not any(digits in page for digits in CNIC_DIGITS)
    # A second application is refused on the form, with the rule.
    again = client.post(
        reverse("vouchers:round", args=[round_.reference]), {"offer": offer.pk, "seat_type": "hot_desk"}
    )
    assert again.status_code == 400 and "One voucher per person" in text(again)


def test_a_refusal_of_the_rules_is_shown_on_the_apply_form(client, round_, offer, now):
    too_old = make_freelancer(born=dt.date(1970, 1, 1))
    client.force_login(too_old)
    response = client.post(
        reverse("vouchers:round", args=[round_.reference]), {"offer": offer.pk, "seat_type": "hot_desk"}
    )
    assert response.status_code == 400 and "the round is for ages 18 to 40" in text(response)
    assert not Voucher.objects.exists()


def test_the_holder_withdraws_before_the_start(client, applied):
    client.force_login(applied.freelancer.user)
    assert "Withdraw the voucher" in text(client.get(reverse("vouchers:voucher", args=[applied.reference])))
    done = client.post(reverse("vouchers:voucher_withdraw", args=[applied.reference]), follow=True)
    assert "Your voucher is withdrawn." in messages_of(done)
    assert Voucher.objects.get(pk=applied.pk).state == V.WITHDRAWN


def test_the_holder_reads_the_months_answers_one_and_reports_an_overcharge(client, started):
    client.force_login(started.freelancer.user)
    page = text(client.get(reverse("vouchers:voucher", args=[started.reference])))
    assert "Month by month" in page and "October 2026" in page and "PKR 5,600" in page and "PKR 2,400" in page
    assert "Did you use your seat in October 2026?" in page
    assert not any(digits in page for digits in CNIC_DIGITS)
    answered = client.post(
        reverse("vouchers:voucher_confirm", args=[started.reference]),
        {"month": "2026-10-01", "used": "no"},
        follow=True,
    )
    assert "Thank you: your answer is kept." in messages_of(answered)
    assert SeatConfirmation.objects.get(voucher=started).used is False
    assert "No, I did not use the seat" in text(answered)
    again = client.post(
        reverse("vouchers:voucher_confirm", args=[started.reference]), {"month": "2026-10-01", "used": "yes"}
    )
    assert again.status_code == 400 and "already answered" in text(again)

    empty = client.post(reverse("vouchers:voucher_overcharge", args=[started.reference]), {"charged": "abc"})
    assert empty.status_code == 400
    reported = client.post(
        reverse("vouchers:voucher_overcharge", args=[started.reference]),
        {"charged": "6,000", "what_happened": "The manager asked for PKR 6,000 in cash on 3 October."},
        follow=True,
    )
    grievance = Grievance.objects.get()
    assert any(grievance.reference in message for message in messages_of(reported))


# --- the operator -------------------------------------------------------------------------------------


def test_the_operator_records_the_start_and_ends_the_seat(client, approved, offer):
    staff = operator_staff(offer)
    client.force_login(staff)
    seats = text(client.get(reverse("vouchers:seats")))
    assert approved.reference in seats and "Record the start date by" in seats
    page = text(client.get(reverse("vouchers:voucher", args=[approved.reference])))
    assert "Record the start" in page and not any(digits in page for digits in CNIC_DIGITS)
    future = client.post(reverse("vouchers:voucher_start", args=[approved.reference]), {"start_date": "2026-12-01"})
    assert future.status_code == 400 and "cannot be in the future" in text(future)
    started = client.post(
        reverse("vouchers:voucher_start", args=[approved.reference]), {"start_date": "2026-11-02"}, follow=True
    )
    assert started.status_code == 200 and Voucher.objects.get(pk=approved.pk).state == V.ACTIVE
    no_note = client.post(
        reverse("vouchers:voucher_end", args=[approved.reference]), {"ended_on": "2026-11-02", "reason": "other"}
    )
    assert no_note.status_code == 400 and "Say why the seat ended." in text(no_note)
    client.post(
        reverse("vouchers:voucher_end", args=[approved.reference]),
        {"ended_on": "2026-11-02", "reason": "left", "note": "Moved to Karachi."},
    )
    assert Voucher.objects.get(pk=approved.pk).state == V.ENDED


def test_a_no_show_is_refused_before_the_working_days_have_passed(client, approved, offer):
    client.force_login(operator_staff(offer))
    response = client.post(reverse("vouchers:voucher_no_show", args=[approved.reference]))
    assert response.status_code == 400 and "working days" in text(response)
    assert Voucher.objects.get(pk=approved.pk).state == V.APPROVED


def test_the_operator_previews_and_files_a_months_claim(client, started, officer):
    staff = operator_staff(started.offer)
    client.force_login(staff)
    chooser = text(client.get(reverse("vouchers:claim_new")))
    assert "October 2026" in chooser
    preview = client.get(reverse("vouchers:claim_new"), {"offer": started.offer_id, "month": "2026-10"})
    page = text(preview)
    assert started.reference in page and "31 of 31" in page and "PKR 5,600" in page
    assert f'name="fee_{started.reference}"' in page
    too_much = client.post(
        reverse("vouchers:claim_new"),
        {"offer": started.offer_id, "month": "2026-10", f"fee_{started.reference}": "9,000"},
    )
    assert too_much.status_code == 400 and "is more than the seat's fee" in text(too_much)
    filed = client.post(
        reverse("vouchers:claim_new"),
        {"offer": started.offer_id, "month": "2026-10", f"fee_{started.reference}": "7,000"},
        follow=True,
    )
    claim = SeatClaim.objects.get()
    assert claim.total == 4900 and claim.month == dt.date(2026, 10, 1)
    assert filed.redirect_chain[-1][0] == reverse("vouchers:claim", args=[claim.reference])
    assert "PKR 4,900" in text(filed)
    assert claim.reference in text(client.get(reverse("vouchers:seats")))
    # Another operator's people and the freelancer do not see the claim.
    for person in (operator_staff(make_offer(started.round)), started.freelancer.user):
        client.force_login(person)
        assert client.get(reverse("vouchers:claim", args=[claim.reference])).status_code == 404
    # A finance person reads it.
    client.force_login(UserFactory(roles=[roles.FINANCE_MAKER]))
    assert client.get(reverse("vouchers:claim", args=[claim.reference])).status_code == 200


# --- the program officer ------------------------------------------------------------------------------


def test_the_officer_approves_in_bulk_with_the_waiting_list(client, now, officer):
    round_ = make_round(quota=1)
    offer = make_offer(round_)
    first = apply(make_freelancer(), round_, offer)
    second = apply(make_freelancer(), round_, offer)
    client.force_login(officer)
    queue = text(client.get(reverse("vouchers_workbench:queue")))
    assert first.reference in queue and second.reference in queue and "Lahore" in queue
    assert "Pass" in queue and "Age on 1 November 2026" in queue
    assert str(first.freelancer) in queue
    done = client.post(
        reverse("vouchers_workbench:approve"), {"vouchers": [first.reference, second.reference]}, follow=True
    )
    notes = " ".join(messages_of(done))
    assert f"{first.reference} approved." in notes and "number 1 on the waiting list" in notes
    assert Voucher.objects.get(pk=first.pk).state == V.APPROVED
    assert Voucher.objects.get(pk=second.pk).state == V.WAITLISTED
    waiting = text(client.get(reverse("vouchers_workbench:queue")))
    assert "Waiting list" in waiting and second.reference in waiting
    detail = text(client.get(reverse("vouchers_workbench:voucher", args=[second.reference])))
    assert "Offer a place now" in detail and "Put on the waiting list" in detail
    offered = client.post(reverse("vouchers_workbench:voucher_offer", args=[second.reference]), follow=True)
    assert "No place is free" in " ".join(messages_of(offered))


def test_a_voucher_failing_a_rule_is_not_decided_and_says_why(client, now, officer):
    round_ = make_round()
    offer = make_offer(round_)
    no_cnic = make_freelancer()
    voucher = apply(no_cnic, round_, offer)
    VoucherDocument.objects.filter(freelancer__user=no_cnic).delete()
    client.force_login(officer)
    queue = text(client.get(reverse("vouchers_workbench:queue")))
    assert "Fail" in queue and "Upload a scan or photo of your CNIC" in queue
    done = client.post(reverse("vouchers_workbench:approve"), {"vouchers": [voucher.reference]}, follow=True)
    assert "Not decided:" in " ".join(messages_of(done))
    assert Voucher.objects.get(pk=voucher.pk).state == V.APPLIED


def test_the_officer_refuses_with_a_reason(client, applied, officer):
    client.force_login(officer)
    page = text(client.get(reverse("vouchers_workbench:voucher", args=[applied.reference])))
    assert "Refuse the voucher" in page and "Voucher applied for" in page
    assert not any(digits in page for digits in CNIC_DIGITS)
    empty = client.post(reverse("vouchers_workbench:voucher_refuse", args=[applied.reference]), {"reason": ""})
    assert empty.status_code == 400
    client.post(
        reverse("vouchers_workbench:voucher_refuse", args=[applied.reference]),
        {"reason": "The marketplace profile is not yours."},
    )
    refused = Voucher.objects.get(pk=applied.pk)
    assert refused.state == V.REFUSED and refused.refusal_reason == "The marketplace profile is not yours."
    client.force_login(applied.freelancer.user)
    assert "The marketplace profile is not yours." in text(
        client.get(reverse("vouchers:voucher", args=[applied.reference]))
    )


def test_the_officer_verifies_approves_and_rejects_claims(client, started, officer):
    staff = operator_staff(started.offer)
    claim = seat_claim_submit(actor=staff, round=started.round, space=started.space, month=dt.date(2026, 10, 1))
    from vouchers.services.vouchers import voucher_confirm_month

    voucher_confirm_month(actor=started.freelancer.user, voucher=started, month=dt.date(2026, 10, 1), used=False)
    client.force_login(officer)
    assert claim.reference in text(client.get(reverse("vouchers_workbench:claims")))
    page = text(client.get(reverse("vouchers_workbench:claim", args=[claim.reference])))
    assert "No: says the seat was not used" in page and "Verify the claim" in page
    client.post(reverse("vouchers_workbench:claim_verify", args=[claim.reference]))
    assert SeatClaim.objects.get(pk=claim.pk).state == "verified"
    empty = client.post(reverse("vouchers_workbench:claim_reject", args=[claim.reference]), {"reason": ""})
    assert empty.status_code == 400
    client.force_login(UserFactory(roles=[roles.PROGRAM_OFFICER]))
    approved = client.post(reverse("vouchers_workbench:claim_approve", args=[claim.reference]), follow=True)
    assert "finance is asked to pay" in " ".join(messages_of(approved))
    assert SeatClaim.objects.get(pk=claim.pk).state == "approved"


def test_a_rejected_claim_tells_the_operator_why(client, started, officer):
    claim = seat_claim_submit(
        actor=operator_staff(started.offer), round=started.round, space=started.space, month=dt.date(2026, 10, 1)
    )
    seat_claim_verify(actor=officer, claim=claim)
    client.force_login(officer)
    client.post(reverse("vouchers_workbench:claim_reject", args=[claim.reference]), {"reason": "The seat was empty."})
    assert SeatClaim.objects.get(pk=claim.pk).state == "rejected"
    client.force_login(operator_staff(started.offer))
    assert "The seat was empty." in text(client.get(reverse("vouchers:claim", args=[claim.reference])))


# --- in Urdu ------------------------------------------------------------------------------------------


def test_every_page_renders_in_urdu_without_showing_the_cnic(client, started, officer):
    claim = seat_claim_submit(
        actor=operator_staff(started.offer), round=started.round, space=started.space, month=dt.date(2026, 10, 1)
    )
    ref = started.reference
    home = reverse("vouchers:home")
    pages = {
        started.freelancer.user: [
            reverse("vouchers:home"),
            reverse("vouchers:profile"),
            reverse("vouchers:round", args=[started.round.reference]),
            reverse("vouchers:voucher", args=[ref]),
        ],
        operator_staff(started.offer): [
            reverse("vouchers:seats"),
            reverse("vouchers:claim_new"),
            reverse("vouchers:claim_new") + f"?offer={started.offer_id}&month=2026-10",
            reverse("vouchers:voucher", args=[ref]),
            reverse("vouchers:claim", args=[claim.reference]),
        ],
        officer: [
            reverse("vouchers_workbench:queue"),
            reverse("vouchers_workbench:queue") + "?state=active",
            reverse("vouchers_workbench:voucher", args=[ref]),
            reverse("vouchers_workbench:claims"),
            reverse("vouchers_workbench:claim", args=[claim.reference]),
        ],
    }
    for person, urls in pages.items():
        client.force_login(person)
        for url in urls:
            response = client.get("/ur" + url)
            assert response.status_code == 200, url
            page = text(response)
            assert 'dir="rtl"' in page and not any(digits in page for digits in CNIC_DIGITS), url
            assert len(re.findall(r"<h1[ >]", page)) == 1, url
    client.logout()
    assert "فری لانسرز کے لیے نشست واؤچر" in text(client.get("/ur" + home))


def test_a_ministry_viewer_or_finance_sees_no_freelancers_voucher(client, round_, offer):
    voucher = voucher_apply(actor=make_freelancer(), round=round_, offer=offer, seat_type="hot_desk")
    for role in (roles.MINISTRY_VIEWER, roles.FINANCE_MAKER, roles.FINANCE_CHECKER):
        client.force_login(UserFactory(roles=[role]))
        assert client.get(f"/vouchers/{voucher.reference}/").status_code == 404
