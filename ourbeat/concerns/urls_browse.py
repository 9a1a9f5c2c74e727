from django.urls import URLPattern, path

from ourbeat.concerns.feeds import ConcernAtomFeed, ConcernFeed
from ourbeat.concerns.views import browse

# Mounted by concerns/urls.py under the "concerns" namespace.
urlpatterns: list[URLPattern] = [
    path("concerns/", browse.concern_list, name="list"),
    path("concerns/map.geojson", browse.map_data, name="map_data"),
    path("concerns/feed.rss", ConcernFeed(), name="feed_rss"),
    path("concerns/feed.atom", ConcernAtomFeed(), name="feed_atom"),
]
