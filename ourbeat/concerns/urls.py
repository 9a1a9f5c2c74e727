from django.urls import URLPattern, path  # noqa: F401

app_name = "concerns"

# Public pages: reporting and the resident's links (views/public.py), browsing, the map and
# the feeds (views/browse.py).
urlpatterns: list[URLPattern] = []
