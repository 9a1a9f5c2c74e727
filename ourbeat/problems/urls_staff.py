"""Staff pages of problem-solving cases, mounted at /staff/problems/ under the namespace
``staff_problems``. Each stage keeps its routes in its own module."""

from django.urls import include, path

app_name = "staff_problems"

urlpatterns = [
    path("", include("ourbeat.problems.urls_staff_cases")),
    path("", include("ourbeat.problems.urls_staff_response")),
    path("", include("ourbeat.problems.urls_staff_workspace")),
]
