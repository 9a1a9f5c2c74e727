"""The public engagement pages. A neighbourhood is addressed as on the places pages
(``n/<slug>/``); priorities and meetings by number, forums by their identifier."""

from django.urls import URLPattern, URLResolver, path

from ourbeat.engagement.feeds import (
    MeetingsAtomFeed,
    MeetingsFeed,
    PrioritiesAtomFeed,
    PrioritiesFeed,
)
from ourbeat.engagement.views import public

app_name = "engagement"

urlpatterns: list[URLPattern | URLResolver] = [
    path("n/<slug:slug>/you-said-we-did/", public.you_said_we_did, name="you_said_we_did"),
    path("n/<slug:slug>/priorities/propose/", public.priority_propose, name="priority_propose"),
    path("n/<slug:slug>/priorities.rss", PrioritiesFeed(), name="priorities_feed_rss"),
    path("n/<slug:slug>/priorities.atom", PrioritiesAtomFeed(), name="priorities_feed_atom"),
    path("n/<slug:slug>/meetings.rss", MeetingsFeed(), name="meetings_feed_rss"),
    path("n/<slug:slug>/meetings.atom", MeetingsAtomFeed(), name="meetings_feed_atom"),
    path("n/<slug:slug>/meetings.ics", public.meetings_ics, name="meetings_ics"),
    path("priorities/<int:pk>/", public.priority, name="priority"),
    path("priorities/<int:pk>/support/", public.priority_support, name="priority_support"),
    path("priorities/<int:pk>/vote/", public.priority_vote, name="priority_vote"),
    path("priorities/<int:pk>/follow/", public.priority_follow, name="priority_follow"),
    path(
        "priorities/stop-following/<str:token>/",
        public.priority_unfollow,
        name="priority_unfollow",
    ),
    path("forums/<slug:slug>/", public.forum, name="forum"),
    path("meetings/<int:pk>/", public.meeting, name="meeting"),
    path("meetings/<int:pk>/register/", public.meeting_register, name="meeting_register"),
]
