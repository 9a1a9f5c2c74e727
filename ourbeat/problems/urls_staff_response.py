"""Response (techniques, goals, tasks for partners) and assessment."""

from django.urls import path

from ourbeat.problems.views import assessment, response

urlpatterns = [
    path("<int:pk>/response/", response.problem_response, name="response"),
    path("<int:pk>/response/add/", response.response_add, name="response_add"),
    path("<int:pk>/goals/add/", response.goal_add, name="goal_add"),
    path("<int:pk>/tasks/add/", response.task_add, name="task_add"),
    path("tasks/<int:task_id>/", response.task_update, name="task"),
    path("<int:pk>/assessment/", assessment.problem_assessment, name="assessment"),
]
