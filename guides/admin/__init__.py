"""Django admin for content staff, in Chinese, one module per subject.

- roles: who may do what (编辑 and 审核, groups made by migrations);
- revisions: version checks on every save, history, compare, revert and recovery;
- workflow: drafts of published content, submitting, approving and sending back;
- articles, figures, places (regions, topics, channels), spreadsheets (figure import/export);
- previews: staff previews and signed share links; board: the dashboard and the content board;
- search, glossary, feedback: the content issue 8 added.

Importing this package registers every ModelAdmin.
"""

from . import articles, feedback, figures, glossary, people, places, search  # noqa: F401
