"""The indexes the duplicate checks look up by (issue #20), on the tables that hold the identifiers.

They are created here, by the concern that reads through them, rather than declared on the spaces and
grants models: those apps do not need them, and a check's query count and time rest on them. Plain
`CREATE INDEX IF NOT EXISTS`, the same on SQLite and PostgreSQL; reversed by dropping them.
"""

from django.db import migrations

INDEXES = (
    ("match_lookup_operator_cnic", "spaces_operator", "principal_cnic"),
    ("match_lookup_operator_iban", "spaces_operator", "iban"),
    ("match_lookup_operator_secp", "spaces_operator", "secp_registration_number"),
    ("match_lookup_operator_mobile", "spaces_operator", "contact_mobile"),
    ("match_lookup_space_district", "spaces_space", "district, operator_id"),
    ("match_lookup_document_sha256", "grants_applicationdocument", "sha256"),
    ("match_lookup_evidence_sha256", "grants_trancheevidence", "sha256"),
    ("match_lookup_claim_sha256", "grants_utilityclaim", "sha256"),
    ("match_lookup_claim_bill", "grants_utilityclaim", "connection_id, bill_amount, units"),
    ("match_lookup_connection_ref", "grants_utilityconnection", "bill_reference, disco"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("matches", "0001_initial"),
        ("spaces", "0005_space_admission"),
        ("grants", "0010_program_name_ur_call_title_ur"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
