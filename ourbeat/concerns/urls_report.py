from django.urls import URLPattern, path, re_path

from ourbeat.concerns.views import public

# Mounted by concerns/urls.py under the "concerns" namespace. References look like
# MIL-26-000042 (upper case), so /concerns/<reference>/ never shadows lower-case pages
# such as the browse list or the feeds.
REFERENCE = r"(?P<reference>[A-Z0-9-]{1,3}-\d{2}-\d{6,})"

urlpatterns: list[URLPattern] = [
    path("report/", public.report, name="report"),
    path("report/sent/", public.report_sent, name="report_sent"),
    path("report/thanks/", public.report_done, name="report_done"),
    path("concerns/confirm/<str:token>/", public.confirm, name="confirm"),
    path("concerns/reply/<str:token>/", public.reply, name="reply"),
    path("concerns/rate/<str:token>/", public.rate, name="rate"),
    re_path(rf"^concerns/{REFERENCE}/$", public.detail, name="detail"),
    re_path(rf"^concerns/{REFERENCE}/support/$", public.support, name="support"),
]
