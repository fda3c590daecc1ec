"""Each contract's `returns_sent_until` from the returns already sent (see `monitoring.returns_sent`)."""

from collections import defaultdict

from django.db import migrations

from monitoring.returns_sent import sent_until_of


def mark_contracts(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    QuarterlyReturn = apps.get_model("monitoring", "QuarterlyReturn")
    sent = defaultdict(set)
    rows = QuarterlyReturn.objects.filter(submitted_at__isnull=False).values_list(
        "contract_id", "period__financial_year", "period__quarter"
    )
    for contract_id, financial_year, number in rows.iterator(chunk_size=2_000):
        sent[contract_id].add((financial_year, number))
    changed = []
    for contract in Contract.objects.filter(pk__in=list(sent)).only("pk", "start_on").iterator(chunk_size=2_000):
        contract.returns_sent_until = sent_until_of(contract.start_on, sent[contract.pk])
        changed.append(contract)
    Contract.objects.bulk_update(changed, ["returns_sent_until"], batch_size=2_000)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0004_return_period_contract_index"),
        ("contracts", "0013_contract_returns_sent_until"),
    ]

    operations = [migrations.RunPython(mark_contracts, migrations.RunPython.noop)]
