"""TODO(transfer): built in issue 8."""

from django.http import Http404, HttpRequest, HttpResponse


def transfer(request: HttpRequest) -> HttpResponse:
    raise Http404
