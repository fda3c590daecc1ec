"""Registering an organisation: the form, the page that says to check your email (whatever was typed),
and the link that confirms the address and creates the organisation."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from commissioning.access import public
from commissioning.views.form_pages import simple_form_page

from . import registration
from .forms import RegistrationForm


@public
def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        registration.start_registration(
            details=data, full_name=data["full_name"], email=data["email"], password=data["password1"], request=request
        )
        return redirect("suppliers:registration_sent")
    return simple_form_page(
        request,
        form,
        title="Register your organisation",
        button="Register",
        intro="Register once. Your organisation's details, accreditations and documents are reused by "
        "every application, so you never type them again.",
        crumbs=[("Register", None)],
    )


@public
def registration_sent(request):
    return render(request, "suppliers/registration_sent.html")


@public
def confirm_registration(request, token):
    pending = registration.pending_for(token)
    if pending is None:
        raise Http404("This link has expired or has been used.")
    errors = []
    if request.method == "POST":
        try:
            user = registration.confirm_registration(token=token, request=request)
        except PermissionDenied as exc:
            raise Http404(str(exc)) from exc
        except ValidationError as error:
            errors = error.messages
        else:
            login(request, user, backend="commissioning.backends.PortalBackend")
            supplier = user.supplier_membership.supplier
            text = f"{supplier.legal_name} is registered. You can now apply to open frameworks."
            if supplier.duplicate_checks.exists():
                text += (
                    " It looks like an organisation already registered, so the commissioning team will check that "
                    "it is a different one."
                )
            messages.success(request, text)
            return redirect("provider_home")
    return render(
        request,
        "suppliers/confirm_registration.html",
        {"legal_name": pending.details.get("legal_name", ""), "email": pending.email, "errors": errors},
    )
