"""Re-chain every existing event under the HMAC key (one scheme for the whole chain).

Why re-chain rather than keep the old unkeyed SHA-256 rows beside new keyed ones: a verifier that
still accepts unkeyed rows lets anyone who can write the database rewrite events as "old" rows and
recompute them without the key (a downgrade). Re-chaining leaves one rule: every hash is keyed.

It is honest only about a chain that was intact: the old chain is verified first, with the old
unkeyed hash, and the migration refuses to run (naming the event) if it is broken. No head had been
published before this migration, so no outside copy refers to the old hashes.
"""

from django.db import migrations


def rechain(apps, schema_editor):
    from audit.chain import GENESIS_HASH, PAYLOAD_FIELDS, canonical_payload, hmac_key, keyed_hash, legacy_hash

    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = list(AuditEvent.objects.using(schema_editor.connection.alias).order_by("id"))
    if not events:
        return
    key = hmac_key()
    old_prev = GENESIS_HASH
    new_prev = GENESIS_HASH
    for event in events:
        fields = {name: getattr(event, name) for name in PAYLOAD_FIELDS}
        if event.prev_hash != old_prev or legacy_hash(canonical_payload(fields)) != event.hash:
            raise RuntimeError(
                f"The audit chain is broken at event {event.id}; it is not re-chained under the key. "
                "Investigate with the previous release's `manage.py verify_audit` before migrating."
            )
        old_prev = event.hash
        event.prev_hash = new_prev
        event.hash = keyed_hash(canonical_payload({**fields, "prev_hash": new_prev}), key)
        new_prev = event.hash
    AuditEvent.objects.using(schema_editor.connection.alias).bulk_update(events, ["prev_hash", "hash"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(rechain, migrations.RunPython.noop, elidable=False)]
