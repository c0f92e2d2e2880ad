from django.apps import AppConfig

# Rows no public page shows: saving them leaves the page cache alone (config/pagecache.py).
NOT_ON_PUBLIC_PAGES = ["Feedback", "SearchMiss", "SearchToken", "PendingChange", "ReviewEvent", "PreviewLink"]


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = "医保指南内容"

    def ready(self) -> None:
        from config import pagecache

        pagecache.connect(self.label, ignored=NOT_ON_PUBLIC_PAGES)
