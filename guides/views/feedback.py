"""TODO(feedback): built in issue 8."""

from django.http import Http404, HttpRequest, HttpResponse


def feedback(request: HttpRequest) -> HttpResponse:
    raise Http404
