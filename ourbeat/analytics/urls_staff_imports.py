"""Staff routes of imports under /staff/scan/imports/ (namespace ``staff_analytics``)."""

from django.urls import URLPattern, path

from ourbeat.analytics.views import imports

urlpatterns: list[URLPattern] = [
    path("", imports.import_list, name="imports"),
    path("new/", imports.import_new, name="import_new"),
    path("<int:pk>/", imports.import_detail, name="import_detail"),
    path("mappings/new/", imports.mapping_new, name="mapping_new"),
]
