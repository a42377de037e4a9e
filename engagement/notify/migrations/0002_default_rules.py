"""The rules a new installation starts with; the administrator edits them in the admin."""

from django.db import migrations

REMINDERS = {
    "decision": (7, 2, 0),
    "action_item": (7, 2, 0),
    "claim": (7, 2, 0),
}

# (subject, level, days overdue (conflicts: days open), audience)
LADDERS = [
    ("decision", 1, 0, "owner"),
    ("decision", 2, 7, "chair"),
    ("decision", 3, 14, "sponsor"),
    ("decision", 4, 21, "ceo"),
    ("action_item", 1, 0, "owner"),
    ("action_item", 2, 7, "chair"),
    ("action_item", 3, 14, "sponsor"),
    ("action_item", 4, 21, "ceo"),
    ("conflict", 1, 14, "chair"),
    ("conflict", 2, 28, "ceo"),
]


def add_rules(apps, schema_editor):
    ReminderRule = apps.get_model("notify", "ReminderRule")
    EscalationRule = apps.get_model("notify", "EscalationRule")
    for subject, leads in REMINDERS.items():
        for lead in leads:
            ReminderRule.objects.get_or_create(subject=subject, lead_days=lead)
    for subject, level, after_days, audience in LADDERS:
        EscalationRule.objects.get_or_create(
            subject=subject, level=level, defaults={"after_days": after_days, "audience": audience}
        )


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
