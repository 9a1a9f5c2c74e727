"""RSS and Atom feeds of a neighbourhood's priorities and meetings.

A priority's item changes identity with its state (its guid carries the status), so a feed
reader shows a proposal, its adoption and its resolution as three news items. Items carry
the public fields only: never who proposed, reported or registered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

from ourbeat.core.text import mask_personal_details
from ourbeat.engagement import selectors
from ourbeat.engagement.models import Meeting, MeetingStatus, Priority, PriorityStatus
from ourbeat.places.models import Area


class PrioritiesFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Area:
        return selectors.public_neighbourhood(kwargs["slug"])

    def title(self, obj: Area) -> str:
        return _("Priorities in %(name)s") % {"name": obj.name}

    def link(self, obj: Area) -> str:
        return reverse("engagement:you_said_we_did", kwargs={"slug": obj.slug})

    def description(self, obj: Area) -> str:
        return _("What residents of %(name)s asked for, and what was done about it.") % {
            "name": obj.name
        }

    def items(self, obj: Area) -> list[Priority]:
        return selectors.priorities_feed(obj)

    def item_title(self, item: Priority) -> str:
        return f"{mask_personal_details(item.title)} · {item.get_status_display()}"

    def item_description(self, item: Priority) -> str:
        parts = [mask_personal_details(item.description)]
        if item.status in (PriorityStatus.DROPPED, PriorityStatus.CARRIED_OVER) and item.reason:
            parts.append(_("Reason: %(reason)s") % {"reason": item.reason})
        if item.outcome:
            parts.append(_("What was done: %(outcome)s") % {"outcome": item.outcome})
        return "\n\n".join(p for p in parts if p)

    def item_link(self, item: Priority) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Priority) -> str:
        return f"priority-{item.pk}-{item.status}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Priority) -> datetime:
        return item.updated_at

    def item_updateddate(self, item: Priority) -> datetime:
        return item.updated_at

    def item_categories(self, item: Priority) -> list[str]:
        return [str(item.get_status_display())]


class PrioritiesAtomFeed(PrioritiesFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Area) -> str:
        return self.description(obj)


class MeetingsFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Area:
        return selectors.public_neighbourhood(kwargs["slug"])

    def title(self, obj: Area) -> str:
        return _("Meetings for %(name)s") % {"name": obj.name}

    def link(self, obj: Area) -> str:
        return reverse("engagement:you_said_we_did", kwargs={"slug": obj.slug})

    def description(self, obj: Area) -> str:
        return _("Beat meetings, panels and forums where residents and the police meet.")

    def items(self, obj: Area) -> list[Meeting]:
        return selectors.meetings_feed(obj)

    def item_title(self, item: Meeting) -> str:
        when = formats.date_format(item.starts_at, "DATETIME_FORMAT")
        if item.status == MeetingStatus.CANCELLED:
            return _("Cancelled: %(title)s, %(when)s") % {"title": item.title, "when": when}
        if item.is_missed:
            return _("Not held: %(title)s, %(when)s") % {"title": item.title, "when": when}
        return f"{item.title}, {when}"

    def item_description(self, item: Meeting) -> str:
        parts = [item.forum.name]
        where = ", ".join(p for p in (item.venue, item.address) if p)
        if where:
            parts.append(_("Where: %(where)s") % {"where": where})
        if item.online_url:
            parts.append(_("Online: %(url)s") % {"url": item.online_url})
        if item.status == MeetingStatus.CANCELLED and item.cancel_reason:
            parts.append(_("Reason: %(reason)s") % {"reason": item.cancel_reason})
        if item.agenda:
            parts.append(item.agenda)
        if item.status == MeetingStatus.HELD and item.attendance is not None:
            parts.append(_("Attendance: %(count)s") % {"count": item.attendance})
        return "\n\n".join(parts)

    def item_link(self, item: Meeting) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Meeting) -> str:
        return f"meeting-{item.pk}-{item.status}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Meeting) -> datetime:
        return item.created_at

    def item_updateddate(self, item: Meeting) -> datetime:
        return item.updated_at

    def item_categories(self, item: Meeting) -> list[str]:
        return [str(item.forum.get_kind_display()), str(item.get_status_display())]


class MeetingsAtomFeed(MeetingsFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Area) -> str:
        return self.description(obj)
