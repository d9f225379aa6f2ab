# Webhook signing secrets move from plain text to encrypted at rest (lms/encryption.py).

from django.db import migrations, models

from lms.encryption import fernet

# The label api.webhooks uses; written out so this migration never changes with that module.
PURPOSE = "lms-webhook-secrets"


def encrypt_secrets(apps, schema_editor):
    Endpoint = apps.get_model("api", "WebhookEndpoint")
    for endpoint in Endpoint.objects.all().only("pk", "secret"):
        Endpoint.objects.filter(pk=endpoint.pk).update(
            encrypted_secret=fernet(PURPOSE).encrypt(endpoint.secret.encode())
        )


def decrypt_secrets(apps, schema_editor):
    Endpoint = apps.get_model("api", "WebhookEndpoint")
    for endpoint in Endpoint.objects.all().only("pk", "encrypted_secret"):
        Endpoint.objects.filter(pk=endpoint.pk).update(
            secret=fernet(PURPOSE).decrypt(bytes(endpoint.encrypted_secret)).decode()
        )


class Migration(migrations.Migration):
    dependencies = [("api", "0001_tokens_webhooks")]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="encrypted_secret",
            field=models.BinaryField(default=b""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_encrypted_secret",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_secret_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="secret_rotated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=models.CharField(max_length=100, blank=True, default=""),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.RemoveField(model_name="webhookendpoint", name="secret"),
    ]
