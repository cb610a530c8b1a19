"""Finance: every payment the program makes, for every instrument, and the money ledger.

Design change (issue 5, "Money out and back")
=============================================

DESIGN.md first placed disbursements and payment batches inside `grants/`. Paying is one concern for
all three instruments — a grant tranche, a soft-loan disbursement and a utility-subsidy claim are all
paid the same way: a finance maker prepares the payment, a finance checker who is neither the maker nor
anyone who worked on the case approves it, approved payments go to the bank in a batch (the bank's
upload file and a voucher per payment), and the bank's statement reconciles them. Keeping that in one
app means one maker-checker rule, one idempotency rule, one ledger and one set of finance pages, instead
of three copies drifting apart inside the instruments' code.

So `finance/` owns: payment instructions (`PaymentInstruction`), maker-checker approval, payment
batches (`PaymentBatch`) with the bank upload file and payment vouchers, bank-statement reconciliation
(`BankStatement`, `StatementLine`) and the append-only money ledger (`LedgerEntry`).

The instruments (built in `grants/`) own *why* money is due and *how much*; they hand a payment to
finance with one call and are told when it is paid:

    from finance.services import payment_request

    instruction = payment_request(
        source=tranche,                # any model instance; content type + id are stored
        payee=award.operator,          # spaces.Operator: IBAN and account title come from here
        amount=tranche.amount,         # Decimal PKR, > 0
        narration="Grant tranche 2 of GR-2026-00042",
        actor=officer,                 # who asks for the payment (added to touched_by)
        touched_by={officer.pk, *reviewer_ids, *operator_staff_ids},  # may never approve it
    )

The source's idempotency key (`"grants.tranche:42"`) is unique among live attempts: asking twice,
retrying a task, or two officers clicking at once returns the same instruction. A payment that fails
at the bank may be retried by finance; that makes a new attempt row, never a second successful payment.

To learn when money moved, an instrument either reads `finance.selectors.payment_for_source(source)`
or registers a callback with `finance.hooks.on_payment_state(label, callback)` (label such as
"grants.tranche"); the callback runs inside the finance transaction that changed the state, so the
instrument's own state changes commit or roll back together with the payment.

See `finance/services/__init__.py` for the whole service API.
"""
