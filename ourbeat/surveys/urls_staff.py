"""Staff pages of survey waves, mounted at /staff/surveys/ under the namespace
``staff_surveys``."""

from django.urls import URLPattern, URLResolver, path

from ourbeat.surveys.views import staff as views

app_name = "staff_surveys"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.wave_list, name="waves"),
    path("new/", views.wave_new, name="wave_new"),
    path("<int:pk>/", views.wave_detail, name="wave"),
    path("<int:pk>/open/", views.wave_open, name="wave_open"),
    path("<int:pk>/close/", views.wave_close, name="wave_close"),
    path("<int:pk>/invitations/", views.wave_invite, name="wave_invite"),
    path("<int:pk>/enter/", views.wave_enter, name="wave_enter"),
]

urlpatterns += [
    path("<int:pk>/themes/", views.wave_themes, name="wave_themes"),
]
