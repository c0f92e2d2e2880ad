"""TODO(glossary): built in issue 8."""

from django.http import Http404, HttpRequest, HttpResponse


def glossary(request: HttpRequest) -> HttpResponse:
    raise Http404
