"""Open311 GeoReport v2 (with mySociety's updates extension), mounted at /open311/v2/."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
