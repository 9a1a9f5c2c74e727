"""Staff routes of recurring under /staff/scan/recurring/ (namespace ``staff_analytics``)."""

from django.urls import URLPattern, path

from ourbeat.analytics.views import recurring

urlpatterns: list[URLPattern] = [
    path("", recurring.recurring_page, name="recurring"),
]
