from django.db import migrations

from reports import rollup


class Migration(migrations.Migration):
    """The month totals are carried over the months between a cell's changes, and the rows of a
    day or a month are written side by side (reports.rollup)."""

    dependencies = [("reports", "0004_rollup_indexes_and_settings")]

    operations = [migrations.RunSQL(rollup.INSTALL, migrations.RunSQL.noop)]
