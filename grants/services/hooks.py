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
