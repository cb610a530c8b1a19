"""The general ledger (issue #22): balanced, append-only entries; every payment posts in the same
transaction as its money-ledger row; the trial balance; the invariants; the pages and the export."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from accounts import roles
from finance import journal, services
from finance.journal import Account, Cr, Dr, UnbalancedEntry
from finance.models import JournalEntry, JournalLine, LedgerEntry
from tests.factories import UserFactory

from .conftest import approved_payment, sent_payment, today

pytestmark = pytest.mark.django_db
AMOUNT = Decimal("1250000.00")


def lines_of(source):
    entry = JournalEntry.objects.get(source=source)
    return sorted((line.account, line.debit, line.credit) for line in entry.lines.all())


def post(source="test:1", lines=None, on=None, narration="A test entry"):
    with transaction.atomic():
        return journal.post_entry(
            source=source,
            event="test",
            on=on or today(),
            narration=narration,
            lines=lines or [Dr(Account.BANK, Decimal("10.00")), Cr(Account.MARKUP_INCOME, Decimal("10.00"))],
            actor="test",
        )


# --- posting ------------------------------------------------------------------------------------------


def test_an_entry_must_balance_and_nothing_is_written_when_it_does_not():
    with pytest.raises(UnbalancedEntry, match="debits 10.00 and credits 9.99"):
        post(lines=[Dr(Account.BANK, Decimal("10.00")), Cr(Account.MARKUP_INCOME, Decimal("9.99"))])
    assert not JournalEntry.objects.exists() and not JournalLine.objects.exists()


def test_an_entry_refuses_float_amounts_unknown_accounts_and_an_empty_entry():
    with pytest.raises(UnbalancedEntry, match="Decimal"):
        post(lines=[Dr(Account.BANK, 10.0), Cr(Account.MARKUP_INCOME, 10.0)])  # type: ignore[arg-type]
    with pytest.raises(UnbalancedEntry, match="no account '7777'"):
        post(lines=[Dr("7777", Decimal("1.00")), Cr(Account.BANK, Decimal("1.00"))])
    with pytest.raises(UnbalancedEntry, match="not zero"):
        post(lines=[Dr(Account.BANK, Decimal("0")), Cr(Account.MARKUP_INCOME, Decimal("0"))])


@pytest.mark.django_db(transaction=True)
def test_an_entry_is_posted_only_inside_the_money_rows_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        journal.post_entry(
            source="outside",
            event="test",
            on=today(),
            narration="x",
            lines=[Dr(Account.BANK, Decimal("1.00")), Cr(Account.MARKUP_INCOME, Decimal("1.00"))],
            actor=None,
        )


def test_a_negative_amount_changes_sides_and_zero_lines_are_dropped():
    entry = post(
        lines=[
            Dr(Account.BANK, Decimal("-5.00")),
            Cr(Account.MARKUP_INCOME, Decimal("-5.00")),
            Dr(Account.WRITE_OFFS, Decimal("0.00")),
        ]
    )
    assert lines_of(entry.source) == [
        (Account.BANK.value, Decimal("0.00"), Decimal("5.00")),
        (Account.MARKUP_INCOME.value, Decimal("5.00"), Decimal("0.00")),
    ]


def test_a_source_posts_once():
    post("loans.repayment:1")
    with pytest.raises(IntegrityError):
        post("loans.repayment:1")


def test_the_ledger_is_append_only():
    entry = post()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        JournalLine.objects.filter(entry=entry).update(debit=Decimal("1"))
    with pytest.raises(PermissionError):
        JournalEntry.objects.all().delete()


def test_a_reversal_mirrors_the_original_once():
    post("loans.repayment:1")
    with transaction.atomic():
        reversal = journal.reverse_entry(
            "loans.repayment:1", source="loans.repayment:2", on=today(), reason="Posted to the wrong loan", actor="x"
        )
    assert reversal.reverses.source == "loans.repayment:1"
    assert lines_of("loans.repayment:2") == [
        (Account.BANK.value, Decimal("0.00"), Decimal("10.00")),
        (Account.MARKUP_INCOME.value, Decimal("10.00"), Decimal("0.00")),
    ]
    assert journal.balance(Account.BANK) == Decimal("0.00")
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            journal.reverse_entry(
                "loans.repayment:1", source="loans.repayment:3", on=today(), reason="again", actor="x"
            )


def test_the_fiscal_year_is_the_posting_days_unless_given():
    assert post("a", on=dt.date(2026, 6, 30)).fiscal_year == 2025
    assert post("b", on=dt.date(2026, 7, 1)).fiscal_year == 2026


# --- payments -------------------------------------------------------------------------------------------


def test_a_grant_payment_accrues_when_approved_and_settles_when_paid(space, payee, officer, maker, checker):
    instruction = approved_payment(space, payee, officer, maker, checker, AMOUNT)
    key = f"finance.payment:{instruction.pk}"
    assert lines_of(f"{key}:approved") == [
        (Account.GRANTS_PAYABLE.value, Decimal("0"), AMOUNT),
        (Account.GRANT_EXPENDITURE.value, AMOUNT, Decimal("0")),
    ]
    assert journal.ledger_problems() == {}
    batch = services.batch_create(actor=maker, value_date=today(), instructions=[instruction])
    services.batch_mark_sent(batch=batch, actor=maker)
    instruction.refresh_from_db()
    assert not JournalEntry.objects.filter(source__startswith=f"{key}:sent").exists()  # sending moves no money
    services.payment_mark_paid(instruction=instruction, actor=checker)
    assert lines_of(f"{key}:paid") == [
        (Account.BANK.value, Decimal("0"), AMOUNT),
        (Account.GRANTS_PAYABLE.value, AMOUNT, Decimal("0")),
    ]
    assert journal.balance(Account.BANK) == -AMOUNT
    assert journal.balance(Account.GRANTS_PAYABLE) == Decimal("0")
    assert journal.balance(Account.GRANT_EXPENDITURE) == AMOUNT
    assert journal.ledger_problems() == {}


def test_a_payment_returned_after_payment_reverses_both_entries(space, payee, officer, maker, checker):
    instruction = sent_payment(space, payee, officer, maker, checker, AMOUNT)
    services.payment_mark_paid(instruction=instruction, actor=checker)
    services.payment_fail(instruction=instruction, actor=checker, reason="Account closed")
    key = f"finance.payment:{instruction.pk}"
    assert JournalEntry.objects.get(source=f"{key}:returned").reverses.source == f"{key}:paid"
    assert JournalEntry.objects.get(source=f"{key}:unaccrued").reverses.source == f"{key}:approved"
    for account in (Account.BANK, Account.GRANTS_PAYABLE, Account.GRANT_EXPENDITURE):
        assert journal.balance(account) == Decimal("0")
    assert journal.ledger_problems() == {}
    # The retry is a new attempt that accrues afresh, never twice.
    retry = services.payment_retry(instruction=instruction, actor=maker)
    retry = services.payment_prepare(instruction=retry, actor=maker, amount=AMOUNT)
    services.payment_approve(instruction=retry, actor=checker)
    assert journal.balance(Account.GRANT_EXPENDITURE) == AMOUNT
    assert journal.ledger_problems() == {}


def test_a_payment_failed_before_payment_unaccrues_and_never_touched_the_bank(space, payee, officer, maker, checker):
    failed = sent_payment(space, payee, officer, maker, checker, AMOUNT)
    services.payment_fail(instruction=failed, actor=maker, reason="Invalid IBAN")
    assert JournalEntry.objects.filter(source=f"finance.payment:{failed.pk}:unaccrued").exists()
    assert not JournalEntry.objects.filter(source=f"finance.payment:{failed.pk}:returned").exists()
    assert journal.balance(Account.GRANTS_PAYABLE) == Decimal("0")
    assert journal.balance(Account.BANK) == Decimal("0")
    assert journal.ledger_problems() == {}


def test_cancelling_an_approved_payment_unaccrues_it(space, payee, officer, maker, checker):
    instruction = approved_payment(space, payee, officer, maker, checker, AMOUNT)
    services.payment_cancel(instruction=instruction, actor=maker, reason="Wrong milestone")
    assert JournalEntry.objects.get(source=f"finance.payment:{instruction.pk}:unaccrued").lines.count() == 2
    assert journal.balance(Account.GRANT_EXPENDITURE) == Decimal("0")
    assert journal.ledger_problems() == {}


def test_a_payment_whose_instrument_registered_no_account_is_refused_before_anything_is_written(payee, officer):
    with pytest.raises(LookupError, match="No general-ledger account is registered for payments of 'accounts.user'"):
        services.payment_request(source=officer, payee=payee, amount=AMOUNT, narration="x", actor=officer)


def test_a_broken_tie_is_found_with_its_figures(space, payee, officer, maker, checker):
    instruction = sent_payment(space, payee, officer, maker, checker, AMOUNT)
    # A paid row written behind the services' back: the ledger no longer ties to the money ledger.
    LedgerEntry.objects.create(
        instruction=instruction,
        idempotency_key=instruction.idempotency_key,
        kind=LedgerEntry.Kind.PAID,
        amount=AMOUNT,
        created_at=instruction.requested_at,
        actor_label="intruder",
    )
    problems = journal.ledger_problems()
    assert problems, "check_ledger found nothing"
    assert any("1,250,000.00" in problem for found in problems.values() for problem in found)
    with pytest.raises(CommandError, match="BROKEN: The bank's payments equal paid less returned"):
        call_command("check_ledger")


def test_check_ledger_says_ok_with_the_totals(space, payee, officer, maker, checker):
    approved_payment(space, payee, officer, maker, checker, AMOUNT)
    out = io.StringIO()
    call_command("check_ledger", stdout=out)
    assert "OK: 1 entries" in out.getvalue()
    assert "debits 1,250,000.00 = credits 1,250,000.00" in out.getvalue()


# --- the trial balance --------------------------------------------------------------------------------


def test_the_trial_balance_balances_and_counts_only_entries_up_to_its_day():
    post("a", on=dt.date(2026, 1, 10))
    post(
        "b",
        on=dt.date(2026, 2, 10),
        lines=[Dr(Account.WRITE_OFFS, Decimal("3.00")), Cr(Account.LOANS_RECEIVABLE, Decimal("3.00"))],
    )
    january = journal.trial_balance(dt.date(2026, 1, 31))
    assert january.balances and january.total_debit == Decimal("10.00")
    rows = {row.code: row for row in january.rows}
    assert rows[Account.BANK].debit == Decimal("10.00") and rows[Account.MARKUP_INCOME].credit == Decimal("10.00")
    assert rows[Account.WRITE_OFFS].debit == Decimal("0")
    february = journal.trial_balance(dt.date(2026, 2, 28))
    assert february.balances and february.total_debit == Decimal("13.00")
    assert {row.code: row for row in february.rows}[Account.LOANS_RECEIVABLE].credit == Decimal("3.00")


# --- pages and the export -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [
        (roles.FINANCE_MAKER, 200),
        (roles.FINANCE_CHECKER, 200),
        (roles.MINISTRY_VIEWER, 200),
        (roles.PROGRAM_OFFICER, 403),
        (roles.OPERATOR, 403),
        (roles.BOARD_CHAIR, 403),
    ],
)
def test_who_reads_the_ledger(client, role, status):
    client.force_login(UserFactory(roles=[role]))
    for name, args in (("finance:ledger", ()), ("finance:journal", ()), ("finance:ledger_export", ("csv",))):
        assert client.get(reverse(name, args=args)).status_code == status, name


def test_the_ledger_page_shows_the_trial_balance_and_the_ministry_viewer_sees_no_payment_queues(client):
    post()
    client.force_login(UserFactory(roles=[roles.MINISTRY_VIEWER]))
    page = client.get(reverse("finance:ledger")).content.decode()
    assert "Trial balance at the end of" in page and "Balances" in page and "10.00" in page
    assert reverse("finance:maker_queue") not in page
    urdu = client.get(reverse("finance:ledger"), HTTP_ACCEPT_LANGUAGE="ur").content.decode()
    assert 'dir="rtl"' in urdu


def test_a_bad_trial_balance_date_is_refused_and_today_is_shown(client):
    client.force_login(UserFactory(roles=[roles.FINANCE_CHECKER]))
    page = client.get(reverse("finance:ledger"), {"on": "31-31-2026"})
    assert page.status_code == 200
    assert "Enter a valid date." in page.content.decode()


def test_the_export_refuses_an_end_before_its_start(client):
    client.force_login(UserFactory(roles=[roles.FINANCE_CHECKER]))
    page = client.get(reverse("finance:ledger_export", args=["csv"]), {"start": "2026-03-01", "end": "2026-02-01"})
    assert page.status_code == 400
    assert "The end date is before the start date" in page.content.decode()


def test_the_gl_export_in_csv_and_excel_escapes_formulas_and_keeps_the_period(client):
    post("early", on=dt.date(2026, 1, 5), narration="January")
    post("hostile", on=dt.date(2026, 2, 5), narration='=HYPERLINK("http://evil","x")')
    client.force_login(UserFactory(roles=[roles.FINANCE_CHECKER]))
    response = client.get(reverse("finance:ledger_export", args=["csv"]), {"start": "2026-02-01", "end": "2026-02-28"})
    assert (
        response.status_code == 200 and "general-ledger-2026-02-01-to-2026-02-28.csv" in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:7] == ["Entry", "Date", "Fiscal year", "Account code", "Account", "Debit (PKR)", "Credit (PKR)"]
    assert len(rows) == 3  # the heading and the February entry's two lines
    assert {row[1] for row in rows[1:]} == {"2026-02-05"}
    assert {row[2] for row in rows[1:]} == {"FY2025-26"}
    assert rows[1][7].startswith("'=HYPERLINK")
    assert [row[4] for row in rows[1:]] == ["Bank: program disbursement account", "Markup income"]
    xlsx = client.get(reverse("finance:ledger_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 5
    debits = sum(Decimal(str(row[5])) for row in values[1:])
    credits = sum(Decimal(str(row[6])) for row in values[1:])
    assert debits == credits == Decimal("20.00")
    assert any(str(row[7]).startswith("'=HYPERLINK") for row in values[1:])


def test_the_journal_filters_by_account(client):
    post("a")
    post("b", lines=[Dr(Account.WRITE_OFFS, Decimal("3.00")), Cr(Account.LOANS_RECEIVABLE, Decimal("3.00"))])
    client.force_login(UserFactory(roles=[roles.FINANCE_MAKER]))
    page = client.get(reverse("finance:journal"), {"account": Account.WRITE_OFFS}).content.decode()
    entry_b = JournalEntry.objects.get(source="b")
    assert f"JE-{entry_b.pk}" in page and f"JE-{entry_b.pk - 1}<" not in page


def test_a_payment_whose_source_lost_its_account_is_named_not_crashed_on(
    space, payee, officer, maker, checker, monkeypatch
):
    approved_payment(space, payee, officer, maker, checker, AMOUNT)
    registered = dict(journal._payment_accounts)
    registered.pop("spaces.space")
    monkeypatch.setattr(journal, "_payment_accounts", registered)
    problems = journal.ledger_problems()
    assert problems["Grants payable equals the payments awaiting the bank"] == [
        "Payments of spaces.space have no general-ledger account registered, so the ledger cannot hold them."
    ]
