import hashlib
from datetime import timedelta

import django.utils.timezone
from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    """Keep only a hash of each invitation's token (links already sent keep working), and give each an
    expiry seven days after it was sent."""
    Invitation = apps.get_model("suppliers", "Invitation")
    for invitation in Invitation.objects.all():
        invitation.token_hash = hashlib.sha256(invitation.token.encode()).hexdigest()
        invitation.expires_at = invitation.created_at + timedelta(days=7)
        invitation.save(update_fields=["token_hash", "expires_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("suppliers", "0003_supplier_ppon"),
    ]

    operations = [
        migrations.AddField(
            model_name="supplier",
            name="require_two_factor",
            field=models.BooleanField(
                default=False,
                help_text="Turned on by the organisation's own administrators: then each of its users signs in "
                "with a code from an authenticator app as well as their password.",
                verbose_name="everyone signs in with two-factor authentication",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="invitation",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(hash_tokens, migrations.RunPython.noop),
        migrations.RemoveField(model_name="invitation", name="token"),
        migrations.AlterField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.AlterField(
            model_name="invitation",
            name="expires_at",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="invitation",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
    ]
