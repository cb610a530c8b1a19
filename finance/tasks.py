"""Finance tasks. They take ids and are idempotent: a retry or a duplicate delivery changes nothing twice."""

from celery import shared_task
from django.db import DatabaseError


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    max_retries=3,
)
def payment_mark_sent(self, batch_id: int, actor_id: int) -> str:
    """Mark a batch and its payments sent (e.g. when the bank's portal confirms the upload).

    Idempotent: `batch_mark_sent` returns a batch that is already sent unchanged, and the ledger
    holds at most one `sent` row per payment (a unique constraint), so a retried task writes nothing.
    """
    from accounts.models import User

    from .models import PaymentBatch
    from .services import batch_mark_sent

    batch = PaymentBatch.objects.get(pk=batch_id)
    actor = User.objects.get(pk=actor_id)
    return batch_mark_sent(batch=batch, actor=actor).state
