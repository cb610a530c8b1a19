"""Finance's hooks (finance/hooks.py): tell grant tranches and utility claims when their payments move."""

from .payments import tranche_payment_moved
from .utility_claims import claim_payment_moved


def register_payment_hooks() -> None:
    """Called once by GrantsConfig.ready."""
    from finance.hooks import on_payment_state

    on_payment_state("grants.tranche", tranche_payment_moved)
    on_payment_state("grants.utilityclaim", claim_payment_moved)
