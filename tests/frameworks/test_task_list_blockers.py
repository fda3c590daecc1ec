"""Issue 18: a blocker shows where it arises. As soon as the lots chosen need an accreditation the
organisation lacks, the task list marks that section as needing action and says why, instead of
"Completed" (before, it appeared only on Check answers)."""

from datetime import date

import pytest
from django.urls import reverse

from suppliers.models import Accreditation
from tests.frameworks.conftest import complete_application

pytestmark = pytest.mark.django_db


def status_of(html: str, slug: str) -> str:
    start = html.index(f'id="task-{slug}-status"')
    return html[start : html.index("</div>", start)]


def test_a_lot_needing_an_accreditation_the_organisation_lacks_needs_action(client, selection):
    Accreditation.objects.filter(supplier=selection.supplier).delete()
    application = complete_application(selection)
    client.force_login(selection.provider)

    html = client.get(reverse("frameworks:task_list", args=[application.pk])).content.decode()

    slug = "lot-1-quality-standards"
    assert "Needs action" in status_of(html, slug)
    assert "Completed" not in status_of(html, slug)
    assert "does not hold a current SafeLives" in html
    assert reverse("suppliers:accreditation_add") in html
    # The other sections are still completed.
    assert "Completed" in status_of(html, "service-delivery")


def test_an_expired_accreditation_is_a_blocker_too(client, selection):
    Accreditation.objects.filter(supplier=selection.supplier).update(expires_on=date(2020, 1, 1))
    application = complete_application(selection)
    client.force_login(selection.provider)

    html = client.get(reverse("frameworks:task_list", args=[application.pk])).content.decode()

    assert "Needs action" in status_of(html, "lot-1-quality-standards")


def test_with_the_accreditation_the_section_is_completed(client, selection):
    application = complete_application(selection)
    client.force_login(selection.provider)

    html = client.get(reverse("frameworks:task_list", args=[application.pk])).content.decode()

    assert "Completed" in status_of(html, "lot-1-quality-standards")
    assert "Needs action" not in html


def test_only_the_lots_chosen_count(client, selection):
    Accreditation.objects.filter(supplier=selection.supplier).delete()
    application = complete_application(selection, lots=[selection.lot2])
    client.force_login(selection.provider)

    html = client.get(reverse("frameworks:task_list", args=[application.pk])).content.decode()

    assert "Needs action" not in html


def test_another_provider_cannot_see_the_task_list(client, selection):
    from tests.factories import make_user

    application = complete_application(selection)
    client.force_login(make_user("provider"))
    assert client.get(reverse("frameworks:task_list", args=[application.pk])).status_code == 404
