"""Open311 GeoReport v2 (with mySociety's updates extension), mounted at /open311/v2/.

Thin: reads go through the concerns selectors (published, not hidden; the public H3 cell
centre, never the point; nothing of the reporter), writes through services. Every answer
comes as JSON or XML by the address's extension; errors are the spec's list of
``{code, description}`` with status 400, 403 or 404. See ``docs/open311.md``."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from functools import wraps
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, re_path
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from ourbeat.api.models import Open311Client
from ourbeat.api.open311_services import (
    open311_client_for_key,
    open311_request_submit,
    open311_update_submit,
)
from ourbeat.concerns.models import OPEN_STATUSES, Category, Channel, Concern, Photo, Status, Update
from ourbeat.concerns.selectors import active_categories, public_concerns, public_point
from ourbeat.core.memo import ProcessMemo
from ourbeat.core.text import CONTROL
from ourbeat.places.models import Organisation

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-01T00:00:00+00:00"
MAX_SPAN = timedelta(days=90)
DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 1000
MAX_DESCRIPTION = 4000  # the official request schema's maxLength
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# mySociety's extended states: ours map one to one, so clients can tell "fixed" from "closed".
EXTENDED_STATUS: dict[str, str] = {
    Status.SUBMITTED: "OPEN",
    Status.ACKNOWLEDGED: "IN_PROGRESS",
    Status.INVESTIGATING: "INVESTIGATING",
    Status.ACTION_SCHEDULED: "ACTION_SCHEDULED",
    Status.RESOLVED: "FIXED",
    Status.NOT_POLICE_MATTER: "NOT_POLICE_MATTER",
    Status.DUPLICATE: "DUPLICATE",
    Status.CLOSED: "CLOSED",
}
CLIENT_STATUSES = {*EXTENDED_STATUS.values(), "NO_FURTHER_ACTION", "INTERNAL_REFERRAL"}
# XML names of list items: <attributes><attribute/>…</attributes>.
XML_ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint"}
XML_ITEMS["formats"] = "format"
TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>")
PHONE = re.compile(r"^[0-9 +().\-/]{0,40}$")
ID_LIST = re.compile(r"^[\w\-]{1,40}$")


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# ---- rendering -----------------------------------------------------------------------------


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _xml_fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item = XML_ITEMS.get(element.tag, "item")
        for child in value:
            _xml_fill(ET.SubElement(element, item), child)
    else:
        element.text = _xml_text(value)


def render(fmt: str, data: Any, root: str, item: str | None = None, status: int = 200) -> Any:
    """``data`` as JSON, or as XML under ``root`` (a list's elements each as ``item``)."""
    if fmt == "json":
        response = JsonResponse(data, safe=False, status=status, json_dumps_params={"indent": None})
        response["Content-Type"] = CONTENT_TYPES["json"]
        return response
    element = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _xml_fill(ET.SubElement(element, item or "item"), entry)
    else:
        _xml_fill(element, data)
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES["xml"])


def render_error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(
        fmt, [{"code": status, "description": description}], "errors", "error", status=status
    )


def open311_view(methods: Iterable[str]) -> Callable[[Callable[..., Any]], Any]:
    """Allowed methods, the requested language (``locale`` or Accept-Language), and every
    refusal as an Open311 error body in the requested format."""
    allowed = set(methods)

    def decorate(view: Callable[..., HttpResponse]) -> Any:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str = "json", **kwargs: Any) -> Any:
            language = _requested_language(request)
            with translation.override(language):
                try:
                    if request.method not in allowed:
                        response = render_error(
                            fmt,
                            405,
                            _("This address does not answer %(method)s.")
                            % {"method": request.method},
                        )
                        response["Allow"] = ", ".join(sorted(allowed))
                        return response
                    _refuse_control_characters(request)
                    response = view(request, *args, fmt=fmt, **kwargs)
                except Open311Error as error:
                    response = render_error(fmt, error.status, error.description)
                    if error.status == 429:
                        response["Retry-After"] = "60"
                except SuspiciousOperation:
                    response = render_error(fmt, 400, _("The request is too large or malformed."))
                response["Content-Language"] = language
                response.setdefault("Vary", "Accept-Language")
                return response

        return wrapper

    return decorate


def _requested_language(request: HttpRequest) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    locale = (request.GET.get("locale") or "").replace("_", "-").split("-")[0].lower()
    if locale in supported:
        return locale
    current = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return current if current in supported else settings.LANGUAGE_CODE


def _refuse_control_characters(request: HttpRequest) -> None:
    sources = [request.GET] + ([request.POST] if request.method == "POST" else [])
    for source in sources:
        for key, values in source.lists():
            if CONTROL.search(key) or any(CONTROL.search(value) for value in values):
                raise Open311Error(400, _("The request contains control characters."))


def _write_rate_key(group: str, request: HttpRequest) -> str:
    key = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if key:
        return "key:" + hashlib.sha256(key[:200].encode()).hexdigest()
    return "ip:" + str(request.META.get("REMOTE_ADDR", ""))


def _refuse_too_many_writes(request: HttpRequest, group: str) -> None:
    """Count the write against its client's limit; past it, refuse with 429 before anything
    is read or written."""
    if is_ratelimited(
        request,
        group=group,
        key=_write_rate_key,
        rate=settings.OURBEAT_OPEN311_WRITE_RATE,
        method="POST",
        increment=True,
    ):
        raise Open311Error(
            429,
            _("Too many requests from this client: at most %(rate)s. Wait a minute and try again.")
            % {"rate": settings.OURBEAT_OPEN311_WRITE_RATE.replace("/m", " a minute")},
        )


# ---- parameters ----------------------------------------------------------------------------


def _param(request: HttpRequest, name: str) -> str:
    """A parameter from the form body (POST) or the query string, stripped."""
    value = request.POST.get(name) if request.method == "POST" else None
    if value is None:
        value = request.GET.get(name)
    return (value or "").strip()


def _limited(request: HttpRequest, name: str, limit: int) -> str:
    value = _param(request, name)
    if len(value) > limit:
        raise Open311Error(
            400,
            _("%(name)s is too long: at most %(limit)s characters.")
            % {"name": name, "limit": limit},
        )
    return value


def _plain_text(name: str, value: str) -> str:
    if TAG.search(value):
        raise Open311Error(
            400, _("%(name)s must be plain text: remove the HTML tags.") % {"name": name}
        )
    return value


def _datetime(name: str, value: str) -> datetime | None:
    """A W3C/ISO 8601 date-time (a '+' that a client forgot to encode arrives as a space)."""
    if not value:
        return None
    value = re.sub(r" (\d\d:?\d\d)$", r"+\1", value)
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.combine(day, time.min) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(
            400,
            _("%(name)s is not a date and time in ISO 8601 format, such as 2026-01-31T09:00:00Z.")
            % {"name": name},
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _window(request: HttpRequest, default: bool) -> tuple[datetime | None, datetime | None]:
    """start_date/end_date: at most 90 days apart; one alone spans 90 days from it; neither
    means the most recent 90 days (when ``default``)."""
    start = _datetime("start_date", _param(request, "start_date"))
    end = _datetime("end_date", _param(request, "end_date"))
    if start and end:
        if end < start:
            raise Open311Error(400, _("end_date is before start_date."))
        if end - start > MAX_SPAN:
            raise Open311Error(400, _("start_date and end_date may be at most 90 days apart."))
    elif start:
        end = start + MAX_SPAN
    elif end:
        start = end - MAX_SPAN
    elif default:
        end = timezone.now()
        start = end - MAX_SPAN
    return start, end


def _positive(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    value = _param(request, name)
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise Open311Error(
            400,
            _("%(name)s must be a whole number from 1 to %(maximum)s.")
            % {"name": name, "maximum": maximum},
        )
    return int(value)


def _page(request: HttpRequest, items: QuerySet[Any]) -> QuerySet[Any]:
    size = _positive(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    page = _positive(request, "page", 1, 1_000_000)
    return items[(page - 1) * size : page * size]


# What every request reads and administrators rarely change, kept per worker for a few
# seconds (``core.memo``): the jurisdictions, the active categories by code.
_jurisdictions: ProcessMemo[str, Any] = ProcessMemo(Category, Organisation)
_categories: ProcessMemo[str, Category | None] = ProcessMemo(Category, Organisation)


def _jurisdiction(request: HttpRequest, *, required: bool) -> Organisation | None:
    """``jurisdiction_id`` (an organisation's identifier) narrows to its services; it may be
    left out while one organisation offers services (and when reading)."""
    slug = _limited(request, "jurisdiction_id", 60)
    if slug:
        organisation = _jurisdictions.get(
            "id:" + slug,
            lambda: Organisation.objects.filter(slug=slug, categories__isnull=False).first(),
        )
        if organisation is None:
            raise Open311Error(404, _("No jurisdiction has the id %(id)s.") % {"id": slug})
        return organisation
    if required:
        serving = _jurisdictions.get(
            "serving",
            lambda: Category.objects.filter(active=True).values("organisation").distinct().count(),
        )
        if serving > 1:
            raise Open311Error(
                400, _("jurisdiction_id is required: this server serves several jurisdictions.")
            )
    return None


def _client(request: HttpRequest, organisation: Organisation | None) -> Open311Client:
    key = _param(request, "api_key")
    if not key:
        raise Open311Error(403, _("api_key is required."))
    client = open311_client_for_key(key[:200])
    if client is None:
        raise Open311Error(403, _("api_key is not valid."))
    if client.organisation_id and organisation and client.organisation_id != organisation.pk:
        raise Open311Error(403, _("This api_key is not valid for that jurisdiction."))
    return client


def _iso(value: datetime | None, zone: tzinfo | None = None) -> str | None:
    """In local time (``zone``: the current time zone, looked up once by a caller that
    formats many)."""
    if value is None:
        return None
    return timezone.localtime(value, zone).isoformat(timespec="seconds")


# ---- representations -----------------------------------------------------------------------


def _service_notice(category: Category) -> str:
    return _("First response within %(first)s working days; a resolution plan within %(plan)s.") % {
        "first": category.first_response_days,
        "plan": category.resolution_plan_days,
    }


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.label,
        "description": category.description_label,
        "metadata": bool(category.questions),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group_label,
    }


def _attribute(question: dict[str, Any], position: int) -> dict[str, Any]:
    return {
        "variable": bool(question.get("variable", True)),
        "code": str(question["code"]),
        "datatype": question.get("datatype", "string"),
        "required": bool(question.get("required", False)),
        "datatype_description": question.get("datatype_description") or None,
        "order": int(question.get("order", position)),
        "description": question.get("description") or question.get("label") or "",
        "values": [
            {"key": str(value["key"]), "name": str(value["name"])}
            for value in question.get("values", [])
        ],
    }


# What a GeoReport request shows of a concern, read as plain values: building a model
# instance per row (and its category, area and organisation) cost most of a 1,000-row answer.
_REQUEST_COLUMNS = (
    "id",
    "reference",
    "status",
    "status_note",
    "public_text",
    "created_at",
    "updated_at",
    "resolution_plan_due",
    "public_cell",
    "category_id",
    "area__name",
    "responsible__name",
)


def _expected(due: date | None, zone: tzinfo) -> str | None:
    """When the resolution plan is due: by the end of that (local) working day."""
    if due is None:
        return None
    return datetime.combine(due, time(23, 59, 59), tzinfo=zone).isoformat(timespec="seconds")


def _request_items(request: HttpRequest, concerns: QuerySet[Concern]) -> list[dict[str, Any]]:
    """The concerns as GeoReport requests: public fields only, the cell centre for a
    location (none for a sensitive category), the neighbourhood for an address, the
    resolution plan's due date while the concern is open. Three queries for any number."""
    rows = list(concerns.values_list(*_REQUEST_COLUMNS, named=True))
    if not rows:
        return []
    categories = Category.objects.in_bulk({row.category_id for row in rows})
    services = {
        pk: (category.label, category.code, _service_notice(category))
        for pk, category in categories.items()
    }
    photos: dict[int, str] = {}
    public_photos = Photo.objects.filter(concern_id__in=[row.id for row in rows], public=True)
    for concern_id, name in public_photos.order_by("id").values_list("concern_id", "image"):
        photos.setdefault(concern_id, name)  # the first public photo, as before
    storage = Photo._meta.get_field("image").storage
    zone = timezone.get_current_timezone()
    items = []
    for row in rows:
        name, code, notice = services[row.category_id]
        is_open = row.status in OPEN_STATUSES
        item: dict[str, Any] = {
            "service_request_id": row.reference,
            "status": "open" if is_open else "closed",
            "status_notes": row.status_note or None,
            "service_name": name,
            "service_code": code,
            "description": row.public_text[:MAX_DESCRIPTION],
            "agency_responsible": row.responsible__name,
            "service_notice": notice,
            "requested_datetime": _iso(row.created_at, zone),
            "updated_datetime": _iso(row.updated_at, zone),
            "expected_datetime": _expected(row.resolution_plan_due, zone) if is_open else None,
            "address": row.area__name,
            "address_id": None,
            "zipcode": None,
        }
        point = public_point(row)  # a row has the concern's public_cell, all it reads
        if point is not None:
            item["lat"], item["long"] = point
        photo = photos.get(row.id)
        item["media_url"] = request.build_absolute_uri(storage.url(photo)) if photo else None
        items.append(item)
    return items


def _readable_requests(organisation: Organisation | None) -> QuerySet[Concern]:
    concerns = public_concerns()
    if organisation is not None:
        concerns = concerns.filter(category__organisation=organisation)
    return concerns


# ---- endpoints -----------------------------------------------------------------------------


@open311_view(["GET"])
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    data = {
        "changeset": CHANGESET,
        "contact": _("Write to the organisation that runs this site."),
        "key_service": _("Ask the site's administrators for an api_key."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(fmt, data, "discovery")


@open311_view(["GET"])
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    organisation = _jurisdiction(request, required=False)
    categories = active_categories()
    if organisation is not None:
        categories = categories.filter(organisation=organisation)
    return render(fmt, [_service(c) for c in categories], "services", "service")


def _category(code: str, organisation: Organisation | None) -> Category:
    category = _categories.get(code, lambda: active_categories().filter(code=code).first())
    if organisation is not None and category is not None:
        category = category if category.organisation_id == organisation.pk else None
    if category is None:
        raise Open311Error(404, _("No service has the code %(code)s.") % {"code": code})
    return category


@open311_view(["GET"])
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = _category(code, _jurisdiction(request, required=False))
    data = {
        "service_code": category.code,
        "attributes": [_attribute(q, i) for i, q in enumerate(category.questions, start=1)],
    }
    return render(fmt, data, "service_definition")


@open311_view(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        _refuse_too_many_writes(request, "open311.requests")
        return _create_request(request, fmt)
    organisation = _jurisdiction(request, required=False)
    concerns = _readable_requests(organisation)
    ids = _param(request, "service_request_id")
    if ids:
        wanted = [part.strip() for part in ids.split(",") if part.strip()]
        if len(wanted) > MAX_PAGE_SIZE or not all(ID_LIST.match(part) for part in wanted):
            raise Open311Error(400, _("service_request_id must be a comma-separated list of ids."))
        concerns = concerns.filter(reference__in=wanted)
    else:
        concerns = _filter_requests(request, concerns)
    page = _page(request, concerns.order_by("-created_at", "-id"))
    return render(fmt, _request_items(request, page), "service_requests", "request")


def _filter_requests(request: HttpRequest, concerns: QuerySet[Concern]) -> QuerySet[Concern]:
    codes = [c.strip() for c in _limited(request, "service_code", 2000).split(",") if c.strip()]
    if codes:
        concerns = concerns.filter(category__code__in=codes)
    statuses = {s.strip() for s in _limited(request, "status", 20).split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed or both."))
    if statuses == {"open"}:
        concerns = concerns.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        concerns = concerns.exclude(status__in=OPEN_STATUSES)
    updated_after = _datetime("updated_after", _param(request, "updated_after"))
    updated_before = _datetime("updated_before", _param(request, "updated_before"))
    if updated_after:
        concerns = concerns.filter(updated_at__gte=updated_after)
    if updated_before:
        concerns = concerns.filter(updated_at__lte=updated_before)
    start, end = _window(request, default=not (updated_after or updated_before))
    if start:
        concerns = concerns.filter(created_at__gte=start)
    if end:
        concerns = concerns.filter(created_at__lte=end)
    return concerns


@open311_view(["GET"])
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    concern = _readable_requests(_jurisdiction(request, required=False)).filter(
        reference=service_request_id
    )
    found = _request_items(request, concern[:1])
    if not found:
        raise Open311Error(
            404, _("No public request has the id %(id)s.") % {"id": service_request_id}
        )
    return render(fmt, found, "service_requests", "request")


@open311_view(["GET"])
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """Requests are filed at once, so a token is simply the request's id."""
    if not Concern.objects.filter(reference=token, channel=Channel.OPEN311).exists():
        raise Open311Error(404, _("No request has the token %(token)s.") % {"token": token})
    data = [{"service_request_id": token, "token": token}]
    return render(fmt, data, "service_requests", "request")


def _coordinate(request: HttpRequest, name: str, limit: float) -> float:
    raw = _limited(request, name, 40)
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, _("%(name)s must be a number.") % {"name": name}) from None
    if not math.isfinite(value) or abs(value) > limit:
        raise Open311Error(
            400,
            _("%(name)s must be between -%(limit)s and %(limit)s.")
            % {"name": name, "limit": limit},
        )
    return value


def _answers(request: HttpRequest, category: Category) -> dict[str, Any]:
    """attribute[code] values checked against the service definition; attributes the
    definition does not name are ignored."""
    answers: dict[str, Any] = {}
    for position, question in enumerate(category.questions, start=1):
        attribute = _attribute(question, position)
        if not attribute["variable"]:
            continue
        code, datatype = attribute["code"], attribute["datatype"]
        source = request.POST if request.method == "POST" else request.GET
        values = [v.strip() for v in source.getlist(f"attribute[{code}]") if v.strip()]
        values += [v.strip() for v in source.getlist(f"attribute[{code}][]") if v.strip()]
        name = attribute["description"] or code
        if not values:
            if attribute["required"]:
                raise Open311Error(
                    400,
                    _("attribute[%(code)s] is required (%(name)s).") % {"code": code, "name": name},
                )
            continue
        keys = {v["key"] for v in attribute["values"]}
        if datatype == "multivaluelist":
            if not set(values) <= keys:
                raise Open311Error(
                    400, _("attribute[%(code)s] has a value it does not offer.") % {"code": code}
                )
            answers[code] = sorted(set(values))
            continue
        if len(values) > 1:
            raise Open311Error(400, _("attribute[%(code)s] takes one value.") % {"code": code})
        value = values[0]
        if datatype == "singlevaluelist" and value not in keys:
            raise Open311Error(
                400, _("attribute[%(code)s] has a value it does not offer.") % {"code": code}
            )
        if datatype == "number":
            try:
                if not math.isfinite(float(value)):
                    raise ValueError(value)
            except ValueError:
                raise Open311Error(
                    400, _("attribute[%(code)s] must be a number.") % {"code": code}
                ) from None
        if datatype == "datetime":
            value = _iso(_datetime(f"attribute[{code}]", value)) or ""
        limit = 2000 if datatype == "text" else 200
        if len(value) > limit:
            raise Open311Error(
                400,
                _("attribute[%(code)s] is too long: at most %(limit)s characters.")
                % {"code": code, "limit": limit},
            )
        answers[code] = _plain_text(f"attribute[{code}]", value)
    return answers


def _person(request: HttpRequest) -> tuple[str, str, str]:
    first = _plain_text("first_name", _limited(request, "first_name", 75))
    last = _plain_text("last_name", _limited(request, "last_name", 75))
    email = _limited(request, "email", 254)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise Open311Error(400, _("email is not an e-mail address.")) from None
    return f"{first} {last}".strip(), email, ""


def _media_url(request: HttpRequest) -> str:
    media_url = _limited(request, "media_url", 500)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url is not an http or https address.")) from None
    return media_url


def _description(request: HttpRequest, *, required: bool) -> str:
    text = _plain_text("description", _limited(request, "description", MAX_DESCRIPTION))
    if required and not text:
        raise Open311Error(400, _("description is required."))
    return text


def _messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    organisation = _jurisdiction(request, required=True)
    client = _client(request, organisation)
    code = _limited(request, "service_code", 60)
    if not code:
        raise Open311Error(400, _("service_code is required."))
    category = _category(code, organisation or client.organisation)
    if _param(request, "lat") == "" and _param(request, "long") == "":
        if _param(request, "address_string") or _param(request, "address_id"):
            raise Open311Error(
                400,
                _("An address alone cannot be located here: send lat and long (WGS84) as well."),
            )
        raise Open311Error(400, _("lat and long are required."))
    latitude = _coordinate(request, "lat", 90)
    longitude = _coordinate(request, "long", 180)
    address = _plain_text("address_string", _limited(request, "address_string", 200))
    name, email, _unused = _person(request)
    phone = _limited(request, "phone", 40)
    if not PHONE.match(phone):
        raise Open311Error(400, _("phone is not a telephone number."))
    description = _description(request, required=True)
    media_url = _media_url(request)
    answers = _answers(request, category)
    retry_key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(retry_key) > 60 or CONTROL.search(retry_key):
        raise Open311Error(400, _("The Idempotency-Key header is too long."))
    try:
        concern, created = open311_request_submit(
            client=client,
            category=category,
            latitude=latitude,
            longitude=longitude,
            description=description,
            answers=answers,
            reporter_name=name,
            reporter_email=email,
            reporter_phone=phone,
            location_text=address,
            media_url=media_url,
            idempotency_key=retry_key or None,
        )
    except ValidationError as error:
        raise Open311Error(400, _messages(error)) from None
    data = [
        {
            "service_request_id": concern.reference,
            "service_notice": _service_notice(category),
            "account_id": None,
        }
    ]
    return render(fmt, data, "service_requests", "request", status=201 if created else 200)


# ---- mySociety's updates extension ---------------------------------------------------------


def _statuses_after(updates: list[Update]) -> dict[int, str]:
    """The concern's status once each update was made: its own, else the last status set
    before it in the concern's thread, else "submitted"."""
    concern_ids = {u.concern_id for u in updates}
    changes: dict[int, list[tuple[datetime, int, str]]] = {}
    for concern_id, created_at, pk, status in (
        Update.objects.filter(concern_id__in=concern_ids)
        .exclude(status="")
        .order_by("created_at", "id")
        .values_list("concern_id", "created_at", "id", "status")
    ):
        changes.setdefault(concern_id, []).append((created_at, pk, status))
    result = {}
    for update in updates:
        status = update.status or Status.SUBMITTED
        if not update.status:
            for created_at, pk, changed in changes.get(update.concern_id, []):
                if (created_at, pk) > (update.created_at, update.pk):
                    break
                status = changed
        result[update.pk] = status
    return result


@open311_view(["GET", "POST"])
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        _refuse_too_many_writes(request, "open311.updates")
        return _create_update(request, fmt)
    organisation = _jurisdiction(request, required=False)
    start, end = _window(request, default=True)
    updates = Update.objects.filter(
        public=True,
        hidden=False,
        concern__published_at__isnull=False,
        concern__hidden=False,
        created_at__gte=start,
        created_at__lte=end,
    ).select_related("concern")
    if organisation is not None:
        updates = updates.filter(concern__category__organisation=organisation)
    page = list(_page(request, updates.order_by("created_at", "id")))
    statuses = _statuses_after(page)
    data = [
        {
            "update_id": str(update.pk),
            "service_request_id": update.concern.reference,
            "status": EXTENDED_STATUS.get(statuses[update.pk], "OPEN"),
            "updated_datetime": _iso(update.created_at),
            "description": update.text,
            "media_url": None,
            "external_status_code": statuses[update.pk],
        }
        for update in page
    ]
    return render(fmt, data, "service_request_updates", "request_update")


def _create_update(request: HttpRequest, fmt: str) -> HttpResponse:
    organisation = _jurisdiction(request, required=True)
    client = _client(request, organisation)
    reference = _limited(request, "service_request_id", 40)
    if not reference:
        raise Open311Error(400, _("service_request_id is required."))
    concerns = Concern.objects.filter(reference=reference, hidden=False).filter(
        Q(published_at__isnull=False) | Q(channel=Channel.OPEN311)
    )
    if organisation is not None:
        concerns = concerns.filter(category__organisation=organisation)
    concern = concerns.first()
    if concern is None:
        raise Open311Error(404, _("No request has the id %(id)s.") % {"id": reference})
    client_update_id = _limited(request, "update_id", 100)
    if not client_update_id:
        raise Open311Error(400, _("update_id is required."))
    status = _limited(request, "status", 40).upper()
    if status and status not in CLIENT_STATUSES:
        raise Open311Error(
            400,
            _("status must be one of %(statuses)s.")
            % {"statuses": ", ".join(sorted(CLIENT_STATUSES))},
        )
    _datetime("updated_datetime", _param(request, "updated_datetime"))
    name, _email, _phone = _person(request)
    description = _description(request, required=True)
    media_url = _media_url(request)
    text = description
    if status:
        text += "\n\n" + _("The resident reports the status as %(status)s.") % {"status": status}
    if media_url:
        text += "\n" + media_url
    try:
        update = open311_update_submit(
            client=client,
            concern=concern,
            client_update_id=client_update_id,
            text=text,
            author_label=name or client.name,
        )
    except ValidationError as error:
        raise Open311Error(400, _messages(error)) from None
    return render(fmt, [{"update_id": str(update.pk)}], "service_request_updates", "request_update")


@open311_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request: HttpRequest, fmt: str, rest: str = "") -> HttpResponse:
    raise Open311Error(404, _("There is no such Open311 address."))


def _format_of(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The catch-all answers in XML when the address ends in .xml, else JSON."""

    @wraps(view)
    def wrapper(request: HttpRequest, rest: str) -> HttpResponse:
        return view(request, fmt="xml" if rest.endswith(".xml") else "json", rest=rest)

    return wrapper


FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns: list[URLPattern] = [
    re_path(r"^discovery" + FMT, discovery, name="open311_discovery"),
    re_path(r"^services" + FMT, services, name="open311_services"),
    re_path(r"^services/(?P<code>[-\w]{1,60})" + FMT, service_definition, name="open311_service"),
    re_path(r"^requests" + FMT, requests, name="open311_requests"),
    re_path(
        r"^requests/(?P<service_request_id>[-\w]{1,40})" + FMT,
        request_detail,
        name="open311_request",
    ),
    re_path(r"^tokens/(?P<token>[-\w]{1,40})" + FMT, token, name="open311_token"),
    re_path(r"^servicerequestupdates" + FMT, request_updates, name="open311_updates"),
    re_path(r"^(?P<rest>.*)$", _format_of(not_found), name="open311_not_found"),
]
