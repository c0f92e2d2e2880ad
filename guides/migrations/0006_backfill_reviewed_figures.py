"""Record, for every existing article, the figure values its text shows today as the values it was
last reviewed with (`Article.reviewed_figures`), so the content board flags only figures whose value
changes from now on. Articles that already have a record keep it. Nothing to undo on the way back.
"""

import re

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

# guides.markdown.ANY_TOKEN_RE, copied: a migration must not change when the app's code does.
TOKEN_RE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def backfill(apps, schema_editor):
    Article = apps.get_model("guides", "Article")
    PolicyEntry = apps.get_model("guides", "PolicyEntry")
    Region = apps.get_model("guides", "Region")
    today = timezone.localdate()
    parents = dict(Region.objects.values_list("id", "parent_id"))
    in_force: dict[tuple[int, str], tuple[str, int]] = {}
    for pk, region_id, key, value in (
        PolicyEntry.objects.filter(state="published", effective_from__lte=today)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .order_by("effective_from", "pk")
        .values_list("pk", "region_id", "key", "value")
    ):
        in_force[(region_id, key)] = (value, pk)  # the latest start wins, as a later period would

    def lineage(region_id):
        chain = []
        while region_id is not None and len(chain) < 5:
            chain.append(region_id)
            region_id = parents.get(region_id)
        return chain

    for article in Article.objects.only("pk", "region_id", "body", "reviewed_figures").iterator():
        if article.reviewed_figures:
            continue
        keys = dict.fromkeys(match.group(1).strip() for match in TOKEN_RE.finditer(article.body or ""))
        snapshot = {}
        for key in keys:
            for region_id in lineage(article.region_id):
                if (region_id, key) in in_force:
                    value, pk = in_force[(region_id, key)]
                    snapshot[key] = {"value": value, "entry": pk}
                    break
        if snapshot:
            Article.objects.filter(pk=article.pk).update(reviewed_figures=snapshot)


class Migration(migrations.Migration):
    dependencies = [("guides", "0005_workflow_revisions_versions")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
