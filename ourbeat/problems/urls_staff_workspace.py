"""The restricted workspace (notes, documents), the public summary and the printable report."""

from django.urls import path

from ourbeat.problems.views import report, workspace

urlpatterns = [
    path("<int:pk>/workspace/", workspace.problem_workspace, name="workspace"),
    path("<int:pk>/documents/", workspace.document_upload, name="document_upload"),
    path(
        "<int:pk>/documents/<int:document_id>/",
        workspace.document_download,
        name="document",
    ),
    path("<int:pk>/summary/", workspace.summary_edit, name="summary"),
    path("<int:pk>/summary/publish/", workspace.summary_publish, name="summary_publish"),
    path("<int:pk>/report/", report.problem_report, name="report"),
    path("<int:pk>/report.pdf", report.problem_report_pdf, name="report_pdf"),
]
