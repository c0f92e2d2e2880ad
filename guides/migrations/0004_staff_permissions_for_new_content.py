"""Give the staff groups the new content: glossary, search synonyms, missed searches, feedback."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMS = [
    "view_glossaryterm", "add_glossaryterm", "change_glossaryterm",
    "view_searchsynonym", "add_searchsynonym", "change_searchsynonym",
    "view_searchmiss", "change_searchmiss",
    "view_feedback", "change_feedback",
    "view_articleredirect",
]
REVIEWER_PERMS = EDITOR_PERMS + [
    "delete_glossaryterm", "delete_searchsynonym", "delete_searchmiss", "delete_feedback",
]
GROUPS = {"编辑": EDITOR_PERMS, "审核": REVIEWER_PERMS}


def add_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = list(Permission.objects.filter(content_type__app_label="guides", codename__in=codenames))
        missing = set(codenames) - {p.codename for p in perms}
        if missing:
            raise RuntimeError(f"missing permissions: {sorted(missing)}")
        group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [("guides", "0003_search_glossary_feedback_redirects")]

    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
