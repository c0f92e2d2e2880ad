"""What the admin mixins extend, as the type checker sees it.

The mixins (workflow, revisions, previews, display, people) are combined with a ModelAdmin only
in the concrete admin classes, yet call its methods (`self.model`, `self.admin_site`,
`super().get_urls()`). At run time they extend `object`, as before; to mypy they extend the
ModelAdmin they will be mixed into, so those calls are checked instead of flagged as unknown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin
    from simple_history.admin import SimpleHistoryAdmin

    ModelAdminMixin = ModelAdmin[Any]
    HistoryAdminMixin = SimpleHistoryAdmin  # simple-history ships no types: seen as Any
else:
    ModelAdminMixin = HistoryAdminMixin = object
