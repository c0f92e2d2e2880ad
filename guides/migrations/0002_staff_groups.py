"""Create the two staff groups: 编辑 (drafts, unverified figures) and 审核 (publish, verify)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMS = [
    "view_region", "view_topic", "view_servicechannel",
    "view_article", "add_article", "change_article",
    "view_policyentry", "add_policyentry", "change_policyentry",
    "view_historicalarticle", "view_historicalpolicyentry",
]
REVIEWER_PERMS = EDITOR_PERMS + [
    "delete_article", "publish_article",
    "delete_policyentry", "verify_policyentry",
    "add_region", "change_region",
    "add_topic", "change_topic", "delete_topic",
    "add_servicechannel", "change_servicechannel", "delete_servicechannel",
    "change_historicalarticle", "change_historicalpolicyentry",
]
GROUPS = {"编辑": EDITOR_PERMS, "审核": REVIEWER_PERMS}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
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
        group.permissions.set(perms)


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
