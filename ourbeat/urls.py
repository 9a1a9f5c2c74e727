from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

from ourbeat.api.api import api
from ourbeat.api.police_uk import police_uk_api
from ourbeat.places.views.public import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("api/police-uk/", police_uk_api.urls),
    path("open311/v2/", include("ourbeat.api.open311")),
    # Uploaded media (officer photos): re-encoded on upload, so serving them is safe; a
    # production deployment may serve MEDIA_ROOT from the front proxy instead.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]

urlpatterns += i18n_patterns(
    # The admin signs in through allauth too, so its password-only form cannot skip TOTP.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="admin_login_redirect",
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("staff/concerns/", include("ourbeat.concerns.urls_staff", namespace="staff_concerns")),
    path(
        "staff/engagement/",
        include("ourbeat.engagement.urls_staff", namespace="staff_engagement"),
    ),
    path("staff/surveys/", include("ourbeat.surveys.urls_staff", namespace="staff_surveys")),
    path("staff/scan/", include("ourbeat.analytics.urls_staff", namespace="staff_analytics")),
    path("staff/problems/", include("ourbeat.problems.urls_staff", namespace="staff_problems")),
    path("staff/", include("ourbeat.teams.urls_staff", namespace="staff")),
    path("", include("ourbeat.concerns.urls", namespace="concerns")),
    path("", include("ourbeat.engagement.urls", namespace="engagement")),
    path("", include("ourbeat.surveys.urls", namespace="surveys")),
    path("", include("ourbeat.problems.urls", namespace="problems")),
    path("", include("ourbeat.teams.urls", namespace="teams")),
    path("", include("ourbeat.places.urls", namespace="places")),
)
