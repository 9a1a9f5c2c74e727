from django.urls import path

from ourbeat.teams.views import staff

app_name = "staff"

urlpatterns = [
    path("", staff.home, name="home"),
    path("profile/", staff.profile_edit, name="profile_edit"),
    path("areas/<slug:slug>/", staff.area_overview, name="area"),
    path(
        "areas/<slug:slug>/contact-points/new/",
        staff.contact_point_create,
        name="contact_point_create",
    ),
    path("areas/<slug:slug>/commitments/", staff.commitments_edit, name="commitments_edit"),
    path("areas/<slug:slug>/visibility/", staff.visibility_log, name="visibility_log"),
    path("contact-points/<int:pk>/", staff.contact_point_edit, name="contact_point_edit"),
    path("contact-points/<int:pk>/occurrences/", staff.occurrence_change, name="occurrence_change"),
]
