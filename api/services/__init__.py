"""The API's writes. Every function is keyword-only, runs in one transaction and writes its audit
event in it; the bank's reports go through finance's and loans' own services, so the rules and the
audit are those of the statement and collection-file imports.

Clients (a superuser or a data steward):
    api_client_register(*, name, scopes, actor, description="", throttle_rate="") -> (ApiClient, secret)
    api_client_new_secret(*, client, actor) -> secret          the old secret stops working
    api_client_revoke(*, client, actor) -> ApiClient            its tokens are deleted; it cannot get more

The bank (through its client's account; each under an Idempotency-Key, see idempotency.py):
    bank_payment_outcome(*, client, reference, outcome, amount, value_date, bank_reference="", reason="",
                         key) -> dict                           sent -> paid -> reconciled | -> failed
    bank_collections_post(*, client, lines, key) -> dict        each line a repayment (loans)
"""

from .bank import bank_collections_post, bank_payment_outcome
from .clients import api_client_new_secret, api_client_register, api_client_revoke, may_register_clients
from .idempotency import Replay, idempotent, request_hash

__all__ = [
    "Replay",
    "api_client_new_secret",
    "api_client_register",
    "api_client_revoke",
    "bank_collections_post",
    "bank_payment_outcome",
    "idempotent",
    "may_register_clients",
    "request_hash",
]
