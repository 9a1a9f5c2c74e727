"""Staff pages of scanning, mounted at /staff/scan/ under the namespace ``staff_analytics``.
Imports and recurring concerns keep their routes in their own modules."""

from django.urls import include, path

from ourbeat.analytics.views import analyses

app_name = "staff_analytics"

urlpatterns = [
    path("", analyses.scan_home, name="home"),
    path("hotspots/", analyses.hotspots, name="hotspots"),
    path("emerging/", analyses.emerging, name="emerging"),
    path("near-repeats/", analyses.near_repeats, name="near_repeats"),
    path("repeats/", analyses.repeats, name="repeats"),
    path("evaluation/", analyses.evaluation, name="evaluation"),
    path("runs/<int:pk>/", analyses.run_detail, name="run"),
    path("imports/", include("ourbeat.analytics.urls_staff_imports")),
    path("recurring/", include("ourbeat.analytics.urls_staff_recurring")),
]
