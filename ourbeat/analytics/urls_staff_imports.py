"""Staff routes of imports under /staff/scan/imports/ (namespace ``staff_analytics``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
