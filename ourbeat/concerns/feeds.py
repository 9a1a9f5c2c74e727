"""RSS and Atom feeds of public concerns for any filter of the list (the same GET
parameters). Items carry the reference, category and neighbourhood, the published (masked)
text, a link to the concern's page and when it was published: never a reporter detail or
an exact point."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

from ourbeat.concerns.forms_browse import ConcernFilters, filters_from_request
from ourbeat.concerns.models import Concern
from ourbeat.concerns.views.browse import detail_url, filtered_public_concerns

FEED_SIZE = 50


class FeedQuery:
    def __init__(self, filters: ConcernFilters, query: str) -> None:
        self.filters = filters
        self.query = query


class ConcernFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedQuery:
        _form, filters = filters_from_request(request.GET)
        params = request.GET.copy()
        params.pop("page", None)
        return FeedQuery(filters, params.urlencode())

    def title(self, obj: FeedQuery) -> str:
        parts = [_("Public concerns")]
        if obj.filters.area is not None:
            parts.append(obj.filters.area.name)
        if obj.filters.category is not None:
            parts.append(obj.filters.category.label)
        return " · ".join(parts)

    def link(self, obj: FeedQuery) -> str:
        return reverse("concerns:list") + (f"?{obj.query}" if obj.query else "")

    def description(self, obj: FeedQuery) -> str:
        return _("Concerns raised by residents and what is being done about them.")

    def items(self, obj: FeedQuery) -> list[Concern]:
        return list(filtered_public_concerns(obj.filters)[:FEED_SIZE])

    def item_title(self, item: Concern) -> str:
        return f"{item.reference} · {item.category.label} · {item.area.name}"

    def item_description(self, item: Concern) -> str:
        return item.public_text

    def item_link(self, item: Concern) -> str:
        return detail_url(item.reference)

    def item_pubdate(self, item: Concern) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Concern) -> datetime:
        return item.updated_at

    def item_categories(self, item: Concern) -> list[str]:
        return [item.category.label, item.get_status_display()]


class ConcernAtomFeed(ConcernFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: FeedQuery) -> str:
        return self.description(obj)
