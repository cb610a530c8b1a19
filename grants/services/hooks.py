"""Finance's hooks (finance/hooks.py): tell grant tranches and utility claims when their payments move."""

from .payments import tranche_payment_moved
from .utility_claims import claim_payment_moved


def register_payment_hooks() -> None:
    """Called once by GrantsConfig.ready."""
    from finance.hooks import describe_source, on_payment_state

    from ..selectors.payments import claim_payment_label, tranche_payment_label

    on_payment_state("grants.tranche", tranche_payment_moved)
    on_payment_state("grants.utilityclaim", claim_payment_moved)
    describe_source("grants.tranche", tranche_payment_label)
    describe_source("grants.utilityclaim", claim_payment_label)
    # The general ledger (finance/journal.py): what a paid tranche or claim is in the accounts.
    from finance.journal import Account, payment_account

    payment_account("grants.tranche", Account.GRANT_EXPENDITURE, accrues=True)
    payment_account("grants.utilityclaim", Account.UTILITY_SUBSIDY_EXPENDITURE, accrues=True)
