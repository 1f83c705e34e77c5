from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civicloop.core import selectors
from civicloop.core.health import run_checks


def _jurisdiction(request: HttpRequest):
    if request.jurisdiction is None:
        raise Http404("No jurisdiction is configured for this address.")
    return request.jurisdiction


def home(request: HttpRequest) -> HttpResponse:
    jurisdiction = request.jurisdiction
    if jurisdiction is None:
        return render(request, "core/jurisdiction_list.html", {"jurisdictions": selectors.jurisdiction_list()})
    return render(
        request,
        "core/home.html",
        {
            "agencies": selectors.agency_list_public(jurisdiction=jurisdiction),
            "areas": selectors.area_list(jurisdiction=jurisdiction).filter(parent__isnull=True),
        },
    )


def agency_list(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    return render(request, "core/agency_list.html", {"agencies": selectors.agency_list_public(jurisdiction=jurisdiction)})


def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    agency = get_object_or_404(selectors.agency_list_public(jurisdiction=jurisdiction), slug=slug)
    return render(request, "core/agency_detail.html", {"agency": agency})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, checks = run_checks()
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503)
