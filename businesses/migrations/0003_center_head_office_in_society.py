from django.db import migrations


class Migration(migrations.Migration):
    """Keeps, in the database itself, a center's head office in the center's society."""

    dependencies = [("businesses", "0002_initial")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE businesses_businesscenter ADD CONSTRAINT center_head_office_in_center_society "
            "FOREIGN KEY (head_office_id, society_id) REFERENCES businesses_headoffice (id, society_id)",
            "ALTER TABLE businesses_businesscenter DROP CONSTRAINT center_head_office_in_center_society",
        )
    ]
