from django.urls import URLPattern, path

from ourbeat.concerns.views import staff

app_name = "staff_concerns"

# Triage, moderation and responses (views/staff.py), mounted at /staff/concerns/.
urlpatterns: list[URLPattern] = [
    path("", staff.queue_page, name="queue"),
    path("assign/", staff.assign, name="assign"),
    path("<str:reference>/", staff.detail, name="detail"),
    path("<str:reference>/reporter/", staff.reporter, name="reporter"),
    path("<str:reference>/status/", staff.set_status, name="status"),
    path("<str:reference>/respond/", staff.respond, name="respond"),
    path("<str:reference>/note/", staff.note, name="note"),
    path("<str:reference>/category/", staff.change_category, name="category"),
    path("<str:reference>/duplicate/", staff.mark_duplicate, name="duplicate"),
    path("<str:reference>/refer/", staff.refer, name="refer"),
    path("<str:reference>/publish/", staff.publish, name="publish"),
    path("<str:reference>/hide/", staff.hide, name="hide"),
    path("<str:reference>/updates/<int:update_id>/hide/", staff.update_hide, name="update_hide"),
    path("<str:reference>/updates/<int:update_id>/edit/", staff.update_edit, name="update_edit"),
]
