from django.db import migrations, models


def fill_printed_name(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    for certificate in Certificate.objects.only("pk", "snapshot").iterator(chunk_size=2000):
        name = (certificate.snapshot or {}).get("participant_name", "")[:200]
        Certificate.objects.filter(pk=certificate.pk).update(printed_name=name)


class Migration(migrations.Migration):

    dependencies = [
        ("certificates", "0001_initial"),
        ("contacts", "0002_contact_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="printed_name",
            field=models.CharField(default="", max_length=200, verbose_name="printed name"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_printed_name, migrations.RunPython.noop),
    ]
