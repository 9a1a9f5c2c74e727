"""Staff pages of the scanning analyses (being built)."""

from django.http import HttpRequest, HttpResponse


def _pending(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse(status=501)


scan_home = hotspots = emerging = near_repeats = repeats = evaluation = run_detail = _pending
