"""The restricted workspace of a case (notes, documents) and its public summary."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from ourbeat.core.staff import apply_validation_errors, staff_view
from ourbeat.problems import services_workspace
from ourbeat.problems.forms_workspace import DocumentForm, NoteForm, SummaryForm
from ourbeat.problems.models import Document, Problem
from ourbeat.problems.uploads import SizeLimitUploadHandler, too_large_message
from ourbeat.problems.views.common import case_context, case_or_403, saved


def _workspace_page(
    request: HttpRequest,
    problem: Problem,
    *,
    note_form: NoteForm | None = None,
    document_form: DocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = case_context(
        request,
        problem,
        "workspace",
        notes=problem.notes.select_related("author", "organisation"),
        documents=problem.documents.select_related("uploaded_by", "organisation"),
        can_contribute=request.user.has_perm("problems.contribute", problem),
        note_form=note_form or NoteForm(),
        document_form=document_form or DocumentForm(),
    )
    return render(request, "problems/workspace.html", context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def problem_workspace(request: HttpRequest, pk: int) -> HttpResponse:
    """The workspace; a POST adds a note."""
    if request.method != "POST":
        problem = case_or_403(request, pk, "problems.read_problem")
        return _workspace_page(request, problem)
    problem = case_or_403(request, pk, "problems.contribute")
    form = NoteForm(request.POST)
    done = saved(
        request,
        form,
        lambda data: services_workspace.note_add(
            actor=request.user, problem=problem, text=data["text"]
        ),
        done=_("The note is added."),
        then="staff_problems:workspace",
        problem=problem,
    )
    return done or _workspace_page(request, problem, note_form=form, status=400)


@csrf_exempt  # the CSRF check runs in _document_upload, once the upload handlers are set
@staff_view
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.contribute")
    # Before the body is read: an oversized file is dropped as it streams in, never kept.
    limiter = SizeLimitUploadHandler(request, settings.OURBEAT_DOCUMENT_MAX_BYTES)
    request.upload_handlers.insert(0, limiter)
    return _document_upload(request, problem, limiter)


@csrf_protect
def _document_upload(
    request: HttpRequest, problem: Problem, limiter: SizeLimitUploadHandler
) -> HttpResponse:
    form = DocumentForm(request.POST, request.FILES)
    if limiter.exceeded:
        form.is_valid()
        form.errors.pop("upload", None)
        form.add_error("upload", too_large_message(limiter.limit))
    elif form.is_valid():
        try:
            document = services_workspace.document_add(
                actor=request.user,
                problem=problem,
                upload=form.cleaned_data["upload"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("%(title)s is added.") % {"title": document.title})
            return redirect("staff_problems:workspace", pk=problem.pk)
    return _workspace_page(request, problem, document_form=form, status=400)


def _content_disposition(filename: str) -> str:
    """An attachment with the name in RFC 6266 form: an ASCII fallback and the UTF-8 name."""
    fallback = "".join(
        character if character.isascii() and character not in '"\\' else "_"
        for character in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@staff_view
@require_http_methods(["GET", "HEAD"])
def document_download(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.read_problem")
    document = get_object_or_404(Document, pk=document_id, problem=problem)
    # The file is found by the row's random token only: nothing from the request is a path.
    path = services_workspace.document_path(document)
    if not path.is_file():
        raise Http404
    services_workspace.document_download_record(actor=request.user, document=document)
    # Documents are at most OURBEAT_DOCUMENT_MAX_BYTES, so reading one whole is fine.
    content_type = document.content_type or "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"  # the upload check accepted UTF-8 only
    response = HttpResponse(path.read_bytes(), content_type=content_type)
    response["Content-Disposition"] = _content_disposition(document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _summary_page(
    request: HttpRequest, problem: Problem, form: SummaryForm, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = case_context(request, problem, "summary", form=form)
    return render(request, "problems/summary_edit.html", context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def summary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    initial = {"public_title": problem.public_title, "public_summary": problem.public_summary}
    form = SummaryForm(request.POST or None, initial=initial)
    if request.method == "POST":
        done = saved(
            request,
            form,
            lambda data: services_workspace.summary_write(
                actor=request.user,
                problem=problem,
                public_title=data["public_title"],
                public_summary=data["public_summary"],
            ),
            done=_("The public summary is saved."),
            then="staff_problems:summary",
            problem=problem,
        )
        return done or _summary_page(request, problem, form, status=400)
    return _summary_page(request, problem, form)


@staff_view
@require_POST
def summary_publish(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    publish = request.POST.get("publish") == "1"
    try:
        services_workspace.summary_publish(actor=request.user, problem=problem, publish=publish)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The public summary is published.")
            if publish
            else _("The public summary is withdrawn."),
        )
    return redirect("staff_problems:summary", pk=problem.pk)
