"""Provider pages for the organisation's own details, kept once and reused by every application."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from commissioning.access import permission_required, public
from commissioning.files import attachment_response
from commissioning.views.form_pages import simple_form_page
from commissioning.views.service_forms import service_form_page

from . import services
from .forms import (
    AcceptInvitationForm,
    AccreditationForm,
    DocumentForm,
    InviteForm,
    SupplierForm,
    TwoFactorRequirementForm,
)
from .models import Accreditation, SupplierDocument

MANAGE = "suppliers.manage_own_organisation"


def _supplier(request):
    return request.user.supplier_membership.supplier


def _crumbs(*items):
    return [("Your organisation", reverse("suppliers:organisation")), *items]


@permission_required(MANAGE)
def organisation(request):
    supplier = _supplier(request)
    return render(
        request,
        "suppliers/organisation.html",
        {
            "supplier": supplier,
            "accreditations": supplier.accreditations.all(),
            "documents": supplier.documents.select_related("uploaded_by"),
            "members": supplier.memberships.select_related("user"),
            "invitations": supplier.invitations.filter(accepted_at__isnull=True, expires_at__gt=timezone.now()),
            "is_admin": request.user.supplier_membership.is_admin,
        },
    )


@permission_required(MANAGE)
def organisation_edit(request):
    supplier = _supplier(request)
    form = SupplierForm(request.POST or None, instance=supplier)

    def save(details: dict) -> str:
        services.update_supplier(supplier=supplier, details=details, by=request.user)
        return "Your organisation's details have been saved."

    return _organisation_form_page(request, form, save, "Details", title="Change your organisation's details")


def _organisation_form_page(request, form, act: Callable[[dict], str], crumb: str, **page):
    """A one-form page under the organisation's page (`service_form_page`): its breadcrumbs, and both
    the valid POST and Cancel go back to it. Only the organisation rules' refusals go on the form."""
    return service_form_page(
        request,
        form,
        act,
        back=reverse("suppliers:organisation"),
        refused=services.SupplierRuleError,
        crumbs=_crumbs((crumb, None)),
        **page,
    )


def _remove_page(request, thing: str, remove: Callable[[], object]):
    """Ask before removing one of the organisation's accreditations or documents; the POST removes it."""
    if request.method == "POST":
        remove()
        messages.success(request, f"{thing} has been removed.")
        return redirect("suppliers:organisation")
    return render(request, "suppliers/confirm_remove.html", {"thing": thing})


@permission_required(MANAGE)
def accreditation_add(request):
    supplier = _supplier(request)
    form = AccreditationForm(request.POST or None, request.FILES or None)

    def add(data: dict) -> str:
        fields = {k: v for k, v in data.items() if k != "evidence"}
        services.add_accreditation(supplier=supplier, by=request.user, evidence=data.get("evidence"), **fields)
        return "The accreditation has been added."

    return _organisation_form_page(
        request,
        form,
        add,
        "Add an accreditation",
        title="Add an accreditation",
        multipart=True,
        button="Add accreditation",
        intro="Add each quality standard your organisation holds. An equivalent standard is accepted.",
    )


@permission_required(MANAGE)
def accreditation_remove(request, pk):
    accreditation = get_object_or_404(Accreditation, pk=pk, supplier=_supplier(request))
    return _remove_page(
        request,
        accreditation.display_name,
        lambda: services.remove_accreditation(accreditation=accreditation, by=request.user),
    )


@permission_required(MANAGE)
def accreditation_evidence(request, pk):
    accreditation = get_object_or_404(Accreditation, pk=pk, supplier=_supplier(request))
    return attachment_response(accreditation.evidence)


@permission_required(MANAGE)
def document_add(request):
    supplier = _supplier(request)
    form = DocumentForm(request.POST or None, request.FILES or None)

    def upload(data: dict) -> str:
        services.add_document(
            supplier=supplier,
            by=request.user,
            file=data["file"],
            kind=data["kind"],
            title=data["title"],
            expires_on=data.get("expires_on"),
        )
        return f"{data['title']} has been uploaded."

    return _organisation_form_page(
        request,
        form,
        upload,
        "Upload a document",
        title="Upload a document",
        multipart=True,
        button="Upload",
        intro="Policies, insurance certificates and accounts you upload here are attached to every application.",
    )


@permission_required(MANAGE)
def document_remove(request, pk):
    document = get_object_or_404(SupplierDocument, pk=pk, supplier=_supplier(request))
    return _remove_page(request, document.title, lambda: services.remove_document(document=document, by=request.user))


@permission_required(MANAGE)
def document_download(request, pk):
    document = get_object_or_404(SupplierDocument, pk=pk, supplier=_supplier(request))
    return attachment_response(document.file)


@permission_required("suppliers.invite_colleagues")
def invite(request):
    supplier = _supplier(request)
    form = InviteForm(request.POST or None)

    def send(data: dict) -> str:
        services.invite_colleague(supplier=supplier, by=request.user, **data)
        return f"We have emailed {data['email']}. The invitation lasts {settings.INVITATION_VALID_DAYS} days."

    return _organisation_form_page(
        request,
        form,
        send,
        "Invite a colleague",
        title="Invite a colleague",
        button="Send invitation",
        intro=f"They will be able to act for {supplier.legal_name}: edit its details, apply and submit returns.",
    )


@permission_required("suppliers.invite_colleagues")
def two_factor_requirement(request):
    """The organisation's administrators decide whether everyone at it signs in with a second factor."""
    supplier = _supplier(request)
    form = TwoFactorRequirementForm(request.POST or None, initial={"required": str(supplier.require_two_factor)})

    def save(data: dict) -> str:
        services.set_two_factor_requirement(supplier=supplier, required=data["required"], by=request.user)
        return "Your organisation's sign-in setting has been saved."

    return _organisation_form_page(
        request,
        form,
        save,
        "Two-factor authentication",
        title="Two-factor authentication for everyone",
        button="Save",
        intro="With two-factor authentication, signing in needs a code from an app on the person's phone as "
        "well as their password, so a stolen password is not enough to see or change your bids and returns.",
    )


def _invitation_problem(request, message: str, status: int):
    return render(request, "suppliers/invitation_problem.html", {"message": message}, status=status)


@public
def accept_invitation(request, token):
    """The invitee's link. Someone signed in (an officer, say) cannot accept it: the invitation is for
    the owner of the mailbox it was sent to, who makes their own account here."""
    if request.user.is_authenticated:
        return _invitation_problem(
            request,
            f"You are signed in as {request.user.email}. An invitation makes a new account for the person it was "
            "sent to: sign out, then open the link again.",
            403,
        )
    try:
        invitation = services.invitation_for(token)
    except services.InvitationProblem as problem:
        return _invitation_problem(request, str(problem), 410)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation=invitation, password=form.cleaned_data["password1"], request=request
            )
        except services.InvitationProblem as problem:
            return _invitation_problem(request, str(problem), 410)
        login(request, user, backend="commissioning.backends.PortalBackend")
        messages.success(request, f"Welcome. You now act for {invitation.supplier.legal_name}.")
        return redirect("provider_home")
    return simple_form_page(
        request,
        form,
        title=f"Join {invitation.supplier.legal_name}",
        button="Create account",
        intro=f"{invitation.invited_by.full_name} invited {invitation.email} to act for "
        f"{invitation.supplier.legal_name}. Choose a password to finish.",
        crumbs=[("Accept invitation", None)],
    )
