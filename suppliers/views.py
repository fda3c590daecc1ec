"""Provider pages for the organisation's own details, kept once and reused by every application."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from commissioning.access import permission_required, public
from commissioning.files import attachment_response

from . import services
from .forms import (
    AcceptInvitationForm,
    AccreditationForm,
    DocumentForm,
    InviteForm,
    SupplierForm,
)
from .models import Accreditation, Invitation, SupplierDocument

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
            "invitations": supplier.invitations.filter(accepted_at__isnull=True),
            "is_admin": request.user.supplier_membership.is_admin,
        },
    )


@permission_required(MANAGE)
def organisation_edit(request):
    supplier = _supplier(request)
    form = SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        services.update_supplier(supplier=supplier, details=form.cleaned_data, by=request.user)
        messages.success(request, "Your organisation's details have been saved.")
        return redirect("suppliers:organisation")
    return render(
        request,
        "layouts/simple_form.html",
        {
            "form": form,
            "title": "Change your organisation's details",
            "crumbs": _crumbs(("Details", None)),
            "cancel_url": reverse("suppliers:organisation"),
        },
    )


@permission_required(MANAGE)
def accreditation_add(request):
    supplier = _supplier(request)
    form = AccreditationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "evidence"}
        services.add_accreditation(
            supplier=supplier, by=request.user, evidence=form.cleaned_data.get("evidence"), **fields
        )
        messages.success(request, "The accreditation has been added.")
        return redirect("suppliers:organisation")
    return render(
        request,
        "layouts/simple_form.html",
        {
            "form": form,
            "title": "Add an accreditation",
            "multipart": True,
            "button": "Add accreditation",
            "intro": "Add each quality standard your organisation holds. An equivalent standard is accepted.",
            "crumbs": _crumbs(("Add an accreditation", None)),
            "cancel_url": reverse("suppliers:organisation"),
        },
    )


@permission_required(MANAGE)
def accreditation_remove(request, pk):
    accreditation = get_object_or_404(Accreditation, pk=pk, supplier=_supplier(request))
    if request.method == "POST":
        services.remove_accreditation(accreditation=accreditation, by=request.user)
        messages.success(request, f"{accreditation.display_name} has been removed.")
        return redirect("suppliers:organisation")
    return render(request, "suppliers/confirm_remove.html", {"thing": accreditation.display_name})


@permission_required(MANAGE)
def accreditation_evidence(request, pk):
    accreditation = get_object_or_404(Accreditation, pk=pk, supplier=_supplier(request))
    return attachment_response(accreditation.evidence)


@permission_required(MANAGE)
def document_add(request):
    supplier = _supplier(request)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.add_document(
            supplier=supplier,
            by=request.user,
            file=data["file"],
            kind=data["kind"],
            title=data["title"],
            expires_on=data.get("expires_on"),
        )
        messages.success(request, f"{data['title']} has been uploaded.")
        return redirect("suppliers:organisation")
    return render(
        request,
        "layouts/simple_form.html",
        {
            "form": form,
            "title": "Upload a document",
            "multipart": True,
            "button": "Upload",
            "intro": "Policies, insurance certificates and accounts you upload here are attached to every application.",
            "crumbs": _crumbs(("Upload a document", None)),
            "cancel_url": reverse("suppliers:organisation"),
        },
    )


@permission_required(MANAGE)
def document_remove(request, pk):
    document = get_object_or_404(SupplierDocument, pk=pk, supplier=_supplier(request))
    if request.method == "POST":
        services.remove_document(document=document, by=request.user)
        messages.success(request, f"{document.title} has been removed.")
        return redirect("suppliers:organisation")
    return render(request, "suppliers/confirm_remove.html", {"thing": document.title})


@permission_required(MANAGE)
def document_download(request, pk):
    document = get_object_or_404(SupplierDocument, pk=pk, supplier=_supplier(request))
    return attachment_response(document.file)


@permission_required("suppliers.invite_colleagues")
def invite(request):
    supplier = _supplier(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invite_colleague(supplier=supplier, by=request.user, **form.cleaned_data)
        messages.success(request, f"We have emailed an invitation to {form.cleaned_data['email']}.")
        return redirect("suppliers:organisation")
    return render(
        request,
        "layouts/simple_form.html",
        {
            "form": form,
            "title": "Invite a colleague",
            "button": "Send invitation",
            "intro": f"They will be able to act for {supplier.legal_name}: edit its details, apply and submit returns.",
            "crumbs": _crumbs(("Invite a colleague", None)),
            "cancel_url": reverse("suppliers:organisation"),
        },
    )


@public
def accept_invitation(request, token):
    invitation = get_object_or_404(Invitation, token=token, accepted_at__isnull=True)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        user = services.accept_invitation(
            invitation=invitation, password=form.cleaned_data["password1"], request=request
        )
        login(request, user, backend="commissioning.backends.PortalBackend")
        messages.success(request, f"Welcome. You now act for {invitation.supplier.legal_name}.")
        return redirect("provider_home")
    return render(
        request,
        "layouts/simple_form.html",
        {
            "form": form,
            "title": f"Join {invitation.supplier.legal_name}",
            "button": "Create account",
            "intro": f"{invitation.invited_by.full_name} invited {invitation.email} to act for "
            f"{invitation.supplier.legal_name}. Choose a password to finish.",
            "crumbs": [("Accept invitation", None)],
        },
    )
