"""The index the company check's position look-up reads (issue #20): a box of one grid cell around
each of the company's spaces, in any district (matches.finders._space_checks). Created here, like
0002's, by the concern that reads through it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("matches", "0002_lookup_indexes")]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS match_lookup_space_position ON spaces_space (latitude, longitude)",
            reverse_sql="DROP INDEX IF EXISTS match_lookup_space_position",
        )
    ]
