"""Staff pages of concerns: the triage queue, the concern page with its thread, and the
handling and moderation actions. Each view's first line fetches its object through
``object_or_403``; writes go through ``ourbeat.concerns.services``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ourbeat.accounts.models import User
from ourbeat.concerns import services
from ourbeat.concerns.forms_staff import (
    AssignForm,
    CategoryForm,
    DuplicateForm,
    HideForm,
    NoteForm,
    PublishForm,
    ReferForm,
    RespondForm,
    StatusForm,
    TemplatePickForm,
    UpdateEditForm,
)
from ourbeat.concerns.models import (
    OPEN_STATUSES,
    Concern,
    Reporter,
    ResponseTemplate,
    Status,
    Update,
)
from ourbeat.concerns.selectors import due_dates, lateness, queue, staff_concerns
from ourbeat.core.permissions import CONCERN_HANDLER_ROLES, areas_filter_for
from ourbeat.core.staff import apply_validation_errors, object_or_403, staff_view
from ourbeat.core.text import mask_personal_details

QUEUE_VIEWS = [
    ("new", gettext_lazy("New")),
    ("overdue", gettext_lazy("Overdue")),
    ("mine", gettext_lazy("Mine")),
    ("unassigned", gettext_lazy("Unassigned")),
    ("open", gettext_lazy("All open")),
]
PAGE_SIZE = 50


def _organisation_ids(user: Any) -> set[int]:
    return {m.organisation_id for m in areas_filter_for(user, CONCERN_HANDLER_ROLES)}


def _assignees(user: Any) -> QuerySet[User]:
    """Staff who may be given concerns: handlers of the user's own organisations."""
    people = User.objects.filter(is_active=True, memberships__role__in=CONCERN_HANDLER_ROLES)
    if not user.is_superuser:
        people = people.filter(memberships__organisation_id__in=_organisation_ids(user))
    return people.distinct().order_by("display_name", "email")


def _open_concerns(user: Any) -> QuerySet[Concern]:
    return staff_concerns(user).filter(status__in=OPEN_STATUSES)


def _with_due_dates(concerns: Any, today: date) -> list[dict[str, Any]]:
    rows = []
    for concern in concerns:
        first_due, plan_due = due_dates(concern)
        rows.append(
            {
                "concern": concern,
                "first_due": first_due,
                "plan_due": plan_due,
                "late": lateness(concern, today),
                "can_handle": False,
            }
        )
    return rows


@staff_view
@require_safe
def queue_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("concerns.use_queue"):
        raise PermissionDenied
    view = request.GET.get("view", "new")
    if view not in dict(QUEUE_VIEWS):
        view = "new"
    search = request.GET.get("q", "").strip()[:40]
    concerns = queue(request.user, view, timezone.now())
    if search:
        concerns = concerns.filter(reference__icontains=search)
    page = Paginator(concerns, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _with_due_dates(page.object_list, timezone.localdate())
    for row in rows:
        row["can_handle"] = request.user.has_perm("concerns.handle_concern", row["concern"])
    can_assign = any(row["can_handle"] for row in rows)
    form = AssignForm(concerns=_open_concerns(request.user), assignees=_assignees(request.user))
    return render(
        request,
        "concerns/staff/queue.html",
        {
            "views": QUEUE_VIEWS,
            "view": view,
            "search": search,
            "page": page,
            "rows": rows,
            "form": form,
            "can_assign": can_assign,
        },
    )


@staff_view
@require_POST
def assign(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("concerns.assign_concerns"):
        raise PermissionDenied
    view = request.POST.get("view", "new")
    back = reverse("staff_concerns:queue") + (f"?view={view}" if view in dict(QUEUE_VIEWS) else "")
    form = AssignForm(
        request.POST, concerns=_open_concerns(request.user), assignees=_assignees(request.user)
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    chosen = list(form.cleaned_data["concerns"])
    if not all(request.user.has_perm("concerns.handle_concern", c) for c in chosen):
        raise PermissionDenied
    assignee = form.cleaned_data["assignee"]
    try:
        count = services.concern_assign(concerns=chosen, actor=request.user, assignee=assignee)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if assignee is None:
            messages.success(request, _("%(count)d concerns unassigned.") % {"count": count})
        else:
            messages.success(
                request,
                _("%(count)d concerns assigned to %(person)s.")
                % {"count": count, "person": assignee},
            )
    return redirect(back)


def _concern_context(request: HttpRequest, concern: Concern, **forms: Any) -> dict[str, Any]:
    can_handle = request.user.has_perm("concerns.handle_concern", concern)
    first_due, plan_due = due_dates(concern)
    late = lateness(concern, timezone.localdate())
    templates = ResponseTemplate.objects.filter(organisation_id=concern.responsible_id)
    respond_initial = {}
    template_id = request.GET.get("template", "")
    if template_id.isdigit():
        chosen = templates.filter(pk=int(template_id)).first()
        if chosen is not None:
            respond_initial["text"] = chosen.text
    status_initial = {"status": Status.ACKNOWLEDGED} if concern.status == Status.SUBMITTED else {}
    duplicates = list(concern.duplicates.order_by("created_at"))
    # The threads merge: the original's page shows its duplicates' updates and replies too.
    updates = list(
        Update.objects.filter(concern_id__in=[concern.pk, *[d.pk for d in duplicates]])
        .select_related("concern")
        .order_by("created_at", "id")
    )
    context = {
        "concern": concern,
        "updates": updates,
        "photos": list(concern.photos.all()),
        "referrals": list(concern.referrals.select_related("from_organisation", "to_organisation")),
        "duplicates": duplicates,
        "first_due": first_due,
        "plan_due": plan_due,
        "first_overdue": late.first_response,
        "plan_overdue": late.resolution_plan,
        "can_handle": can_handle,
        "can_view_reporter": request.user.has_perm("concerns.view_reporter", concern),
        "reporter": None,
        "templates": templates,
        "template_form": TemplatePickForm(
            templates=templates, initial={"template": template_id or None}
        ),
        "status_form": StatusForm(initial=status_initial, prefix="status"),
        "respond_form": RespondForm(initial=respond_initial, prefix="respond"),
        "note_form": NoteForm(prefix="note"),
        "category_form": CategoryForm(initial={"category": concern.category_id}, prefix="category"),
        "duplicate_form": DuplicateForm(prefix="duplicate"),
        "refer_form": ReferForm(prefix="refer"),
        "hide_form": HideForm(prefix="hide"),
        "statuses": Status,
    }
    context.update(forms)
    return context


def _concern_page(
    request: HttpRequest, concern: Concern, status: int = 200, **forms: Any
) -> HttpResponse:
    return render(
        request,
        "concerns/staff/detail.html",
        _concern_context(request, concern, **forms),
        status=status,
    )


def _handled(request: HttpRequest, reference: str) -> Concern:
    return object_or_403(request, Concern, "concerns.handle_concern", reference=reference)


def _done(request: HttpRequest, concern: Concern, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("staff_concerns:detail", reference=concern.reference)


@staff_view
@require_safe
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    concern = object_or_403(request, Concern, "concerns.read_concern", reference=reference)
    return _concern_page(request, concern)


@staff_view
@require_POST
def reporter(request: HttpRequest, reference: str) -> HttpResponse:
    concern = object_or_403(request, Concern, "concerns.view_reporter", reference=reference)
    try:
        shown: Reporter | None = services.concern_reporter_view(concern=concern, actor=request.user)
    except Reporter.DoesNotExist:
        shown = None
    return _concern_page(request, concern, reporter=shown, reporter_requested=True)


def _act(
    request: HttpRequest,
    concern: Concern,
    form: BaseForm,
    form_name: str,
    run: Callable[[dict[str, Any]], object],
    message: Callable[[], str],
) -> HttpResponse:
    """The shape of every action on the concern page: a valid form runs its service, and
    success returns to the concern with a message; a refusal shows the page again with the
    form's errors in place."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            return _done(request, concern, message())
    forms: dict[str, Any] = {form_name: form}
    return _concern_page(request, concern, **forms)


@staff_view
@require_POST
def set_status(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference)
    return _act(
        request,
        concern,
        StatusForm(request.POST, prefix="status"),
        "status_form",
        lambda data: services.concern_set_status(
            concern=concern,
            actor=request.user,
            status=data["status"],
            text=data["text"],
            note=data["note"],
        ),
        lambda: _("The status is now: %(status)s.") % {"status": concern.get_status_display()},
    )


@staff_view
@require_POST
def respond(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference)
    return _act(
        request,
        concern,
        RespondForm(request.POST, prefix="respond"),
        "respond_form",
        lambda data: services.concern_respond(
            concern=concern, actor=request.user, text=data["text"]
        ),
        lambda: _("Your response is published and sent."),
    )


@staff_view
@require_POST
def note(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference)
    return _act(
        request,
        concern,
        NoteForm(request.POST, prefix="note"),
        "note_form",
        lambda data: services.concern_note(concern=concern, actor=request.user, text=data["text"]),
        lambda: _("The internal note is added."),
    )


@staff_view
@require_POST
def change_category(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference)
    return _act(
        request,
        concern,
        CategoryForm(request.POST, prefix="category"),
        "category_form",
        lambda data: services.concern_change_category(
            concern=concern, actor=request.user, category=data["category"], note=data["note"]
        ),
        lambda: (
            _("The category is changed; the concern is now with %(organisation)s.")
            % {"organisation": concern.responsible.name}
        ),
    )


@staff_view
@require_POST
def mark_duplicate(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference)
    form = DuplicateForm(request.POST, prefix="duplicate")
    if form.is_valid():
        wanted = form.cleaned_data["reference"].strip().upper()
        original = staff_concerns(request.user).filter(reference=wanted).first()
        if original is None:
            form.add_error("reference", _("There is no concern with that reference."))
        else:
            try:
                services.concern_mark_duplicate(
                    concern=concern, actor=request.user, original=original
                )
            except ValidationError as error:
                apply_validation_errors(form, error)
            else:
                concern.refresh_from_db()
                return _done(
                    request,
                    concern,
                    _("Marked as a duplicate of %(reference)s; the reporter is told.")
                    % {"reference": concern.duplicate_of},
                )
    return _concern_page(request, concern, duplicate_form=form)


@staff_view
@require_POST
def refer(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference)
    form = ReferForm(request.POST, prefix="refer")
    if form.is_valid():
        to = form.cleaned_data["organisation"]
        try:
            services.concern_refer(
                concern=concern, actor=request.user, to=to, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(
                request,
                _("Referred to %(organisation)s. You can still read the concern.")
                % {"organisation": to.name},
            )
            if request.user.has_perm("concerns.read_concern", concern):
                return redirect("staff_concerns:detail", reference=concern.reference)
            return redirect("staff_concerns:queue")
    return _concern_page(request, concern, refer_form=form)


@staff_view
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference)
    initial = concern.public_text or mask_personal_details(concern.description)
    form = PublishForm(request.POST or None, initial={"text": initial})
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_publish(
                concern=concern, actor=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            return _done(request, concern, _("The concern is published."))
    return render(request, "concerns/staff/publish.html", {"concern": concern, "form": form})


@staff_view
@require_POST
def hide(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference)
    return _act(
        request,
        concern,
        HideForm(request.POST, prefix="hide"),
        "hide_form",
        lambda data: services.concern_hide(
            concern=concern, actor=request.user, reason=data["reason"]
        ),
        lambda: _("The report is hidden from the public."),
    )


def _update_of(request: HttpRequest, reference: str, update_id: int) -> tuple[Concern, Update]:
    concern = _handled(request, reference)
    update = get_object_or_404(Update, pk=update_id, concern=concern, public=True)
    update.concern = concern
    return concern, update


@staff_view
@require_POST
def update_hide(request: HttpRequest, reference: str, update_id: int) -> HttpResponse:
    concern, update = _update_of(request, reference, update_id)
    form = HideForm(request.POST, prefix="update-hide")
    if form.is_valid():
        try:
            services.update_hide(
                update=update, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            return _done(request, concern, _("The update is hidden from the public."))
    messages.error(request, _("Say why the update is hidden."))
    return redirect("staff_concerns:detail", reference=concern.reference)


@staff_view
@require_http_methods(["GET", "POST"])
def update_edit(request: HttpRequest, reference: str, update_id: int) -> HttpResponse:
    concern, update = _update_of(request, reference, update_id)
    form = UpdateEditForm(request.POST or None, initial={"text": update.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_edit(update=update, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            return _done(request, concern, _("The update is corrected."))
    return render(
        request,
        "concerns/staff/update_form.html",
        {"concern": concern, "update": update, "form": form},
    )
