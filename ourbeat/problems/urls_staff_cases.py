"""The case list, opening a case, scanning (CHEERS, members, linked concerns) and analysis."""

from django.urls import path

from ourbeat.problems.views import analysis, cases

urlpatterns = [
    path("", cases.problem_list, name="list"),
    path("new/", cases.problem_new, name="new"),
    path("<int:pk>/", cases.problem_detail, name="detail"),
    path("<int:pk>/edit/", cases.problem_edit, name="edit"),
    path("<int:pk>/cheers/", cases.problem_cheers, name="cheers"),
    path("<int:pk>/stage/", cases.problem_stage, name="stage"),
    path("<int:pk>/members/", cases.problem_members, name="members"),
    path(
        "<int:pk>/members/<int:member_id>/remove/",
        cases.problem_member_remove,
        name="member_remove",
    ),
    path("<int:pk>/concerns/", cases.problem_concerns, name="concerns"),
    path("<int:pk>/analysis/", analysis.problem_analysis, name="analysis"),
    path("<int:pk>/analysis/triangle/", analysis.triangle_add, name="triangle_add"),
    path(
        "<int:pk>/analysis/triangle/<int:entry_id>/delete/",
        analysis.triangle_delete,
        name="triangle_delete",
    ),
    path("<int:pk>/analysis/hypotheses/", analysis.hypothesis_add, name="hypothesis_add"),
    path(
        "<int:pk>/analysis/hypotheses/<int:hypothesis_id>/",
        analysis.hypothesis_edit,
        name="hypothesis_edit",
    ),
]
