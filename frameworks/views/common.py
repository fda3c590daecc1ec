"""The permissions the selection pages declare, and the supplier files evaluators and officers open."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from commissioning.files import attachment_response
from suppliers.models import Accreditation, SupplierDocument

from ..models import Application

APPLY = "frameworks.apply"
EVALUATE = "frameworks.evaluate"
RUN = "frameworks.run_selection"


def _accreditation_evidence(application: Application, accreditation_pk: int):
    accreditation = get_object_or_404(Accreditation, pk=accreditation_pk, supplier=application.supplier_id)
    return attachment_response(accreditation.evidence)


def _supplier_document(application: Application, document_pk: int):
    document = get_object_or_404(SupplierDocument, pk=document_pk, supplier=application.supplier_id)
    return attachment_response(document.file)
