"""The WSGI application: Django, behind the replay of stored pages (config/replay.py), which passes
every request straight to Django unless the page cache shares its state through Redis."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from config.replay import StoredPages  # noqa: E402  (needs the settings module named above)

application = StoredPages(get_wsgi_application())
