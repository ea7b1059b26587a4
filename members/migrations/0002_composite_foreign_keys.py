from django.db import migrations

# Django has no composite foreign keys; these keep, in the database itself, a member's center in
# the member's society and an inclusion record's consent with the same member.
SQL = [
    (
        "ALTER TABLE members_workermember ADD CONSTRAINT member_center_in_member_society "
        "FOREIGN KEY (business_center_id, society_id) "
        "REFERENCES businesses_businesscenter (id, society_id)",
        "ALTER TABLE members_workermember DROP CONSTRAINT member_center_in_member_society",
    ),
    (
        "ALTER TABLE members_memberinclusion ADD CONSTRAINT member_inclusion_consent_of_member "
        "FOREIGN KEY (consent_id, member_id) REFERENCES members_consentrecord (id, member_id)",
        "ALTER TABLE members_memberinclusion DROP CONSTRAINT member_inclusion_consent_of_member",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("businesses", "0002_initial"),
    ]

    operations = [migrations.RunSQL(forward, reverse) for forward, reverse in SQL]
