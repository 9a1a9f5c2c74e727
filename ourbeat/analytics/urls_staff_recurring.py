"""Staff routes of recurring under /staff/scan/recurring/ (namespace ``staff_analytics``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
