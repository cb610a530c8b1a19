"""Payments, batches, bank statements and the money ledger.

Models hold fields, database invariants and the `@transition` methods of the payment state machine;
every write goes through `finance/services/`, which locks the rows, checks who may act, runs the
transition, writes the audit event and the ledger row in one transaction.
"""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from .permissions import BATCHES, PAYMENTS


class PaymentState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PREPARED = "prepared", _("Prepared")
    APPROVED = "approved", _("Approved")
    IN_BATCH = "in_batch", _("In a batch")
    SENT = "sent", _("Sent to the bank")
    PAID = "paid", _("Paid")
    RECONCILED = "reconciled", _("Reconciled")
    FAILED = "failed", _("Failed")
    RETRIED = "retried", _("Retried")
    CANCELLED = "cancelled", _("Cancelled")


S = PaymentState
# An attempt that is over and never paid: the source may be asked to pay again (a new attempt).
CLOSED_UNPAID = (S.CANCELLED, S.RETRIED)
# States in which a checker has approved the payment (the approval columns must be filled).
APPROVED_STATES = (S.APPROVED, S.IN_BATCH, S.SENT, S.PAID, S.RECONCILED, S.FAILED, S.RETRIED)
BATCHED_STATES = (S.IN_BATCH, S.SENT, S.PAID, S.RECONCILED)
CANCELLABLE_STATES = (S.REQUESTED, S.PREPARED, S.APPROVED, S.IN_BATCH)
MONEY = {"max_digits": 14, "decimal_places": 2}


# --- who may make a transition (django-fsm `permission=`: (instruction, user) -> bool) ------------
# The services check the same rules first so they can say *why*; these keep the machine safe.


def is_active_person(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_payee_member(instruction, user) -> bool:
    """Staff of the company being paid never act on its payments (conflict of interest)."""
    return is_active_person(user) and instruction.payee.members.filter(pk=user.pk).exists()


def permitted(action: str):
    """The `permission=` of a payment transition: the role from finance.permissions.PAYMENTS, and
    never staff of the payee."""
    role = PAYMENTS.predicate(action)

    def check(instruction, user) -> bool:
        return role(instruction, user) and not is_payee_member(instruction, user)

    check.__name__ = role.__name__
    return check


def touched_the_case(instruction, user) -> bool:
    return bool(user is not None and user.pk in set(instruction.touched_by or []))


def may_check(instruction, user) -> bool:
    """Four-eyes rule for payments: the checker is never the maker nor anyone who worked on the case."""
    return (
        PAYMENTS.role_allows(user, "approve")
        and user.pk != instruction.prepared_by_id
        and not touched_the_case(instruction, user)
        and not is_payee_member(instruction, user)
    )


def has_payee_iban(instruction) -> bool:
    return bool(instruction.iban_snapshot)


def source_key(source) -> str:
    """The idempotency key of a payment's source: 'grants.tranche:42'."""
    if source is None or getattr(source, "pk", None) is None:
        raise ValueError("A payment's source must be a saved model instance.")
    return f"{source._meta.label_lower}:{source.pk}"


def payment_reference(idempotency_key: str, attempt: int) -> str:
    """The reference the bank carries back on its statement: short, stable, unique per attempt."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:10].upper()
    return f"SHL-{digest}-{attempt}"


class PaymentBatch(FSMModelMixin, models.Model):
    """Approved payments sent to the bank in one upload file."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        SENT = "sent", _("Sent to the bank")

    reference = models.CharField(_("batch reference"), max_length=30, unique=True)
    value_date = models.DateField(_("value date"), help_text=_("The day the bank is asked to pay."))
    state = FSMField(_("state"), max_length=10, choices=State.choices, default=State.OPEN, protected=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("marked sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-created_at", "-id"]
        permissions = [("manage_paymentbatch", _("Can create payment batches and mark them sent"))]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["open", "sent"]), name="finance_batch_state_valid"),
            models.CheckConstraint(
                condition=Q(state="open", sent_at__isnull=True)
                | Q(state="sent", sent_at__isnull=False, sent_by__isnull=False),
                name="finance_batch_sent_fields_match_state",
            ),
        ]

    def __str__(self):
        return self.reference

    @transition(field=state, source=State.OPEN, target=State.SENT, permission=BATCHES.predicate("mark_sent"))
    def mark_sent(self, *, by, at):
        self.sent_by = by
        self.sent_at = at


class PaymentInstruction(ConcurrentTransitionMixin, models.Model):
    """One attempt to pay one source (a tranche, a loan disbursement, a utility claim) to one payee.

    `idempotency_key` names the source; among attempts that are not cancelled or retried there is at
    most one per key (a partial unique constraint), so the same source is never paid twice.
    """

    idempotency_key = models.CharField(_("idempotency key"), max_length=120, db_index=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    previous_attempt = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_attempt"
    )
    reference = models.CharField(_("payment reference"), max_length=30, unique=True)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.CharField(max_length=64)
    source = GenericForeignKey("source_type", "source_id")

    payee = models.ForeignKey(
        "spaces.Operator", on_delete=models.PROTECT, related_name="payment_instructions", verbose_name=_("payee")
    )
    # What the payment is for, for reports (by program, instrument, division, district and space) without
    # resolving every generic source: the application whose award, loan or enrolment is being paid, and
    # the space the money is for (a utility claim's connection names its space; a grant's is the
    # application's). Empty only for payments that belong to no application.
    application = models.ForeignKey(
        "grants.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_instructions",
        verbose_name=_("application"),
    )
    space = models.ForeignKey(
        "spaces.Space",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_instructions",
        verbose_name=_("space"),
    )
    amount = models.DecimalField(_("amount (PKR)"), **MONEY)
    narration = models.CharField(_("narration"), max_length=140)
    # Snapshots taken by the maker: the bank is paid what the checker saw, even if the registry changes.
    payee_name_snapshot = models.CharField(_("account title"), max_length=200, blank=True)
    iban_snapshot = models.CharField(_("IBAN"), max_length=24, blank=True)
    touched_by = models.JSONField(
        _("people who worked on the case"),
        default=list,
        blank=True,
        help_text=_("User ids of everyone who touched the case; none of them may approve the payment."),
    )

    state = FSMField(_("state"), max_length=12, choices=PaymentState.choices, default=S.REQUESTED, protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by (maker)"),
    )
    prepared_at = models.DateTimeField(_("prepared at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by (checker)"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payments", verbose_name=_("batch")
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    failure_reason = models.CharField(_("why it failed"), max_length=300, blank=True)
    # The checker's last "send back to the maker" (issue #17): shown to the maker until prepared again.
    sent_back_at = models.DateTimeField(_("sent back at"), null=True, blank=True)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent back by (checker)"),
    )
    send_back_reason = models.CharField(_("why it was sent back"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment instruction")
        verbose_name_plural = _("payment instructions")
        ordering = ["requested_at", "id"]
        permissions = [
            ("prepare_paymentinstruction", _("Can prepare payments (finance maker)")),
            ("approve_paymentinstruction", _("Can approve payments (finance checker)")),
        ]
        indexes = [
            models.Index(fields=["state", "requested_at"], name="finance_payment_queue"),
            # Quarterly reports read the payments paid in a date range.
            models.Index(fields=["paid_at", "id"], name="finance_payment_paid_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_payment_amount_positive"),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="finance_payment_attempt_positive"),
            models.CheckConstraint(condition=Q(state__in=S.values), name="finance_payment_state_valid"),
            # Four-eyes rule for payments: the checker is never the maker.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(prepared_by__isnull=True) | ~Q(approved_by=F("prepared_by")),
                name="finance_payment_checker_is_not_maker",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=APPROVED_STATES)
                | Q(prepared_by__isnull=False, approved_by__isnull=False, approved_at__isnull=False),
                name="finance_payment_approved_has_maker_and_checker",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[S.PREPARED, *APPROVED_STATES])
                | (~Q(iban_snapshot="") & Q(prepared_by__isnull=False)),
                name="finance_payment_prepared_has_iban",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=BATCHED_STATES) | Q(batch__isnull=False),
                name="finance_payment_batched_has_batch",
            ),
            models.UniqueConstraint(fields=["idempotency_key", "attempt"], name="finance_payment_attempt_unique"),
            # The same source is never paid twice: one live attempt per source.
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(state__in=CLOSED_UNPAID),
                name="finance_payment_one_live_attempt",
            ),
        ]

    def __str__(self):
        return self.reference

    # --- the state machine ------------------------------------------------------------------------

    @transition(field=state, source=S.REQUESTED, target=S.PREPARED, permission=permitted("prepare"))
    def prepare(self, *, by, at, iban: str, account_title: str):
        self.prepared_by = by
        self.prepared_at = at
        self.iban_snapshot = iban
        self.payee_name_snapshot = account_title

    @transition(field=state, source=S.PREPARED, target=S.APPROVED, permission=may_check, conditions=[has_payee_iban])
    def approve(self, *, by, at):
        self.approved_by = by
        self.approved_at = at

    @transition(field=state, source=S.PREPARED, target=S.REQUESTED, permission=permitted("send_back"))
    def send_back(self, *, by, at, reason: str):
        """Back to the maker's queue with the checker's reason; the maker corrects and prepares
        again (the snapshots are taken anew) or cancels."""
        self.sent_back_by = by
        self.sent_back_at = at
        self.send_back_reason = reason

    @transition(field=state, source=S.APPROVED, target=S.IN_BATCH, permission=permitted("add_to_batch"))
    def add_to_batch(self, *, batch):
        self.batch = batch

    @transition(field=state, source=S.IN_BATCH, target=S.SENT, permission=permitted("mark_sent"))
    def mark_sent(self, *, at):
        self.sent_at = at

    @transition(field=state, source=S.SENT, target=S.PAID, permission=permitted("mark_paid"))
    def mark_paid(self, *, at):
        self.paid_at = at

    @transition(field=state, source=S.PAID, target=S.RECONCILED, permission=permitted("reconcile"))
    def reconcile(self, *, at):
        self.reconciled_at = at

    @transition(field=state, source=[S.SENT, S.PAID], target=S.FAILED, permission=permitted("fail"))
    def fail(self, *, at, reason: str):
        self.failed_at = at
        self.failure_reason = reason

    @transition(field=state, source=S.FAILED, target=S.RETRIED, permission=permitted("retry"))
    def retry(self):
        pass

    @transition(field=state, source=list(CANCELLABLE_STATES), target=S.CANCELLED, permission=permitted("cancel"))
    def cancel(self, *, at, reason: str):
        self.cancelled_at = at
        self.cancel_reason = reason
        self.batch = None

    # --- derived ----------------------------------------------------------------------------------

    @property
    def source_label(self) -> str:
        """What the payment is for, named by its instrument (finance/hooks.py), e.g. "Tranche 2 of
        GR-2026-00012"."""
        from .hooks import source_description

        return source_description(self.idempotency_key)

    @property
    def iban_differs_from_registry(self) -> bool:
        """True when the maker paid an IBAN other than the one the secretariat verified for the company
        (checker: look twice). An IBAN edited since verification is not the verified one."""
        return bool(self.iban_snapshot) and self.iban_snapshot != self.payee.verified_iban


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The money ledger is append-only: entries are never updated.")

    def delete(self):
        raise PermissionError("The money ledger is append-only: entries are never deleted.")


class LedgerEntry(models.Model):
    """One money movement. Append-only: corrections are new `reversal` rows, never edits.

    One row per payment and kind (a unique constraint), so a retried task or a double click can never
    record the same movement twice.
    """

    class Kind(models.TextChoices):
        APPROVED = "approved", _("Payment approved")
        SENT = "sent", _("Sent to the bank")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed at the bank")
        REVERSAL = "reversal", _("Reversal")

    instruction = models.ForeignKey(
        PaymentInstruction, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("payment")
    )
    idempotency_key = models.CharField(_("source"), max_length=120, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount (PKR)"), **MONEY)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    batch = models.ForeignKey(PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    statement_line = models.ForeignKey(
        "finance.StatementLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_ledger_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=["approved", "sent", "paid", "failed", "reversal"]),
                name="finance_ledger_kind_valid",
            ),
            models.UniqueConstraint(fields=["instruction", "kind"], name="finance_ledger_one_row_per_movement"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.amount} {self.idempotency_key}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The money ledger is append-only: entries are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The money ledger is append-only: entries are never deleted.")


class BankStatement(models.Model):
    """One imported bank statement file. The file's SHA-256 is unique: the same file is never imported twice."""

    file_name = models.CharField(_("file name"), max_length=200)
    file_hash = models.CharField(_("SHA-256 of the file"), max_length=64, unique=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("imported at"))
    line_count = models.PositiveIntegerField(_("lines"))

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-uploaded_at", "-id"]
        permissions = [("import_bankstatement", _("Can import bank statements and resolve their lines"))]

    def __str__(self):
        return self.file_name


class StatementLine(models.Model):
    """One line of a bank statement and what reconciliation made of it."""

    class BankStatus(models.TextChoices):
        PAID = "paid", _("Paid")
        RETURNED = "returned", _("Returned")
        FAILED = "failed", _("Failed")

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("Matched: paid")
        RETURNED = "returned", _("Matched: returned or failed")
        UNMATCHED = "unmatched", _("Unmatched")
        RESOLVED = "resolved", _("Resolved by a person")

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    line_number = models.PositiveIntegerField(_("line"))
    value_date = models.DateField(_("value date"))
    reference = models.CharField(_("payment reference"), max_length=60)
    amount = models.DecimalField(_("amount (PKR)"), **MONEY)
    bank_status = models.CharField(_("bank status"), max_length=10, choices=BankStatus.choices)
    bank_remarks = models.CharField(_("bank remarks"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    problem = models.CharField(_("why it did not match"), max_length=300, blank=True)
    instruction = models.ForeignKey(
        PaymentInstruction, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_lines"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement_id", "line_number"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_line_amount_positive"),
            models.CheckConstraint(
                condition=Q(outcome__in=["matched", "returned", "unmatched", "resolved"]),
                name="finance_line_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(bank_status__in=["paid", "returned", "failed"]), name="finance_line_bank_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=["matched", "returned"]) | Q(instruction__isnull=False),
                name="finance_line_matched_has_payment",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="resolved") | Q(resolved_by__isnull=False, resolved_at__isnull=False),
                name="finance_line_resolved_has_person",
            ),
            models.UniqueConstraint(fields=["statement", "line_number"], name="finance_line_number_unique"),
        ]
        indexes = [models.Index(fields=["outcome", "id"], name="finance_line_outcome")]

    def __str__(self):
        return f"{self.statement_id}:{self.line_number} {self.reference}"


# --- The general ledger (issue #22) -----------------------------------------------------------------


class GLAccount(models.TextChoices):
    """The chart of accounts: one double-entry ledger for the program's money and its budget.

    Asset, liability, income and expense accounts follow the money (cash basis for markup, as
    Fineract's cash-based accounting: income when received). The 9xxx accounts are the budget's
    memorandum accounts: the allocation, what of it is still available, and what is committed; they
    balance among themselves and never touch the bank.
    """

    BANK = "1010", _("Bank: program disbursement account")
    LOANS_RECEIVABLE = "1210", _("Loans receivable (principal)")
    GRANTS_PAYABLE = "2010", _("Grants and subsidies payable")
    MARKUP_INCOME = "4010", _("Markup income")
    MARKUP_CAPITALISED = "4015", _("Markup capitalised into loans")
    RECOVERIES = "4020", _("Recoveries of written-off loans")
    GRANT_EXPENDITURE = "5010", _("Grant expenditure")
    UTILITY_SUBSIDY_EXPENDITURE = "5020", _("Utility subsidy expenditure")
    SEAT_SUBSIDY_EXPENDITURE = "5030", _("Seat subsidy expenditure")
    WRITE_OFFS = "5110", _("Loans written off")
    BUDGET_ALLOCATION = "9010", _("Budget allocation")
    BUDGET_AVAILABLE = "9020", _("Budget available (uncommitted)")
    COMMITMENTS = "9030", _("Commitments")


class JournalEntry(models.Model):
    """One balanced journal entry. Append-only: a correction is a new entry that `reverses` this one.

    `source` names what caused it ("finance.payment:12:paid", "loans.repayment:40") and is unique, so
    a retried task or a second click can never post the same movement twice. Posted only by
    finance.journal.post_entry, in the same transaction as the money row it accounts for.
    """

    source = models.CharField(_("source"), max_length=120, unique=True)
    event = models.CharField(_("event"), max_length=60)
    on = models.DateField(_("accounting date"), db_index=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (starting year)"), db_index=True)
    narration = models.CharField(_("narration"), max_length=300)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by", verbose_name=_("reverses")
    )
    created_at = models.DateTimeField(_("posted"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("posted by"), max_length=200)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["id"]

    def __str__(self):
        return f"JE-{self.pk} {self.on} {self.source}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The general ledger is append-only: entries are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The general ledger is append-only: entries are never deleted.")


class JournalLine(models.Model):
    """One side of a journal entry: a debit or a credit (never both, never zero) to one account."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.CharField(_("account"), max_length=4, choices=GLAccount.choices, db_index=True)
    debit = models.DecimalField(_("debit (PKR)"), default=0, **MONEY)
    credit = models.DecimalField(_("credit (PKR)"), default=0, **MONEY)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["entry", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(debit__gt=0, credit=0) | Q(debit=0, credit__gt=0), name="finance_journalline_one_side"
            ),
            models.CheckConstraint(condition=Q(account__in=GLAccount.values), name="finance_journalline_account_valid"),
        ]

    def __str__(self):
        return f"{self.account} Dr {self.debit} Cr {self.credit}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The general ledger is append-only: lines are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The general ledger is append-only: lines are never deleted.")
