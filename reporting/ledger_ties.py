"""The quarter's reports tie to the general ledger (issue #22): what the ministry downloads and what
the accountants' ledger says must be the same figures to the paisa. Registered as ledger invariants
(finance.journal.register_invariant), so `manage.py check_ledger`, the ledger page and the tests run
them with the other ties.

Compared for the quarter under way (the reports restate earlier quarters when the bank returns a
payment later; the ledger posts the return on its own day, so only "to date" figures can tie):

- the disbursements report's paid to date = the bank's payments in the ledger (paid less returned);
- its committed = the ledger's commitments;
- the loan portfolio report's outstanding principal (capitalised markup included) = loans receivable,
  and its interest (markup) received = markup income (markup is accounted when received).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance.journal import Account, balance, register_invariant
from grants.fiscal import FiscalQuarter

from .disbursement_selectors import grand_total, money_lines
from .loans_report import portfolio_of


def _differs(what: str, report, ledger) -> str:
    return _("%(what)s: the report says PKR %(report)s, the ledger PKR %(ledger)s.") % {
        "what": what,
        "report": f"{report:,.2f}",
        "ledger": f"{ledger:,.2f}",
    }


def disbursements_report_ties() -> list[str]:
    totals = grand_total(money_lines(FiscalQuarter.of(timezone.localdate())))
    problems = []
    paid = -balance(Account.BANK, source_prefix="finance.payment:")
    if totals.paid_to_date != paid:
        problems.append(_differs(_("Disbursements paid to date"), totals.paid_to_date, paid))
    committed = balance(Account.COMMITMENTS)
    if totals.committed != committed:
        problems.append(_differs(_("Committed"), totals.committed, committed))
    return problems


def loan_portfolio_report_ties() -> list[str]:
    total = portfolio_of(FiscalQuarter.of(timezone.localdate())).total
    problems = []
    receivable = balance(Account.LOANS_RECEIVABLE)
    if total.outstanding != receivable:
        problems.append(_differs(_("Outstanding principal"), total.outstanding, receivable))
    markup = balance(Account.MARKUP_INCOME)
    if total.interest_repaid != markup:
        problems.append(_differs(_("Markup received"), total.interest_repaid, markup))
    return problems


def register() -> None:
    register_invariant(gettext_lazy("The disbursements report ties to the ledger"), disbursements_report_ties)
    register_invariant(gettext_lazy("The loan portfolio report ties to the ledger"), loan_portfolio_report_ties)
