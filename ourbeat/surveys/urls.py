"""The residents' survey pages: a wave's open link (``s/<link_key>/``), an invitation's own
link (``s/i/<token>/``) and the thank-you page. Both keys are random: a wave cannot be found
by counting."""

from django.urls import URLPattern, URLResolver, path

from ourbeat.surveys.views import public

app_name = "surveys"

urlpatterns: list[URLPattern | URLResolver] = [
    path("s/i/<str:token>/", public.invited, name="invited"),
    path("s/<str:link_key>/", public.respond, name="respond"),
    path("s/<str:link_key>/thanks/", public.thanks, name="thanks"),
]
