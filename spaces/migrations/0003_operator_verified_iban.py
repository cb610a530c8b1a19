from django.db import migrations, models


def remember_verified_ibans(apps, schema_editor):
    # A company verified before this field existed was verified with the IBAN it has now (a change of
    # IBAN has always sent the portal's companies back to pending).
    Operator = apps.get_model("spaces", "Operator")
    for operator in Operator.objects.filter(verification_status="verified"):
        operator.verified_iban = operator.iban
        operator.save(update_fields=["verified_iban"])


class Migration(migrations.Migration):
    dependencies = [("spaces", "0002_utilization_return")]

    operations = [
        migrations.AddField(
            model_name="operator",
            name="verified_iban",
            field=models.CharField(blank=True, editable=False, max_length=24, verbose_name="IBAN as verified"),
        ),
        migrations.RunPython(remember_verified_ibans, migrations.RunPython.noop),
    ]
