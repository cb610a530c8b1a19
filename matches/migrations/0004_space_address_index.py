"""The index the company check's address look-up reads (issue #20): the spaces of a district whose
address holds a number, answered from the index alone (matches.finders._address_checks)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("matches", "0003_space_position_index")]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS match_lookup_space_address ON spaces_space (district, address, operator_id, id)",
            reverse_sql="DROP INDEX IF EXISTS match_lookup_space_address",
        )
    ]
