"""Issue 18, point 9: a lot added while the application window is open asks for confirmation, and
reaches applicants, partners and the public only once it is published."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning.models import AuditEvent, User
from frameworks import setup
from frameworks.models import Lot
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TITLE = "Children and young people ISVA"


def new_lot(selection) -> Lot:
    return Lot(framework=selection.framework, number=3, title=TITLE, minimum_score="60")


def test_adding_a_lot_mid_window_needs_confirmation_and_leaves_it_unpublished(selection):
    with pytest.raises(ValidationError) as refused:
        setup.save_lot(lot=new_lot(selection), by=selection.officer)
    assert "application window is open" in str(refused.value)
    assert not Lot.objects.filter(title=TITLE).exists()
    lot = setup.save_lot(lot=new_lot(selection), by=selection.officer, confirmed=True)
    assert not Lot.objects.get(pk=lot.pk).is_published


def test_a_lot_added_while_no_window_is_open_is_published_at_once(selection):
    selection.window.delete()
    lot = setup.save_lot(lot=new_lot(selection), by=selection.officer)
    assert Lot.objects.get(pk=lot.pk).is_published


def test_publishing_a_lot_is_audited_and_refused_to_other_authorities(selection):
    lot = setup.save_lot(lot=new_lot(selection), by=selection.officer, confirmed=True)
    with pytest.raises(PermissionDenied):
        setup.publish_lot(lot=lot, by=make_user(User.Role.OFFICER))
    setup.publish_lot(lot=lot, by=selection.officer)
    assert Lot.objects.get(pk=lot.pk).is_published
    assert AuditEvent.objects.filter(action="frameworks.lot_published", object_id=str(lot.pk)).count() == 1
    with pytest.raises(ValidationError):
        setup.publish_lot(lot=lot, by=selection.officer)


def test_an_unpublished_lot_is_hidden_from_applicants_and_the_public(client, selection):
    lot = setup.save_lot(lot=new_lot(selection), by=selection.officer, confirmed=True)
    public = f"/frameworks/{selection.framework.reference}/suppliers/"
    client.force_login(selection.provider)
    assert TITLE not in client.get("/provider/opportunities/").content.decode()
    client.logout()
    assert TITLE not in client.get(public).content.decode()
    setup.publish_lot(lot=lot, by=selection.officer)
    assert TITLE in client.get(public).content.decode()
    client.force_login(selection.provider)
    assert TITLE in client.get("/provider/opportunities/").content.decode()


def lot_form(selection, **extra) -> dict:
    return {
        "framework": selection.framework.pk,
        "number": "3",
        "title": TITLE,
        "description": "",
        "minimum_score": "60",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        **extra,
    }


def test_the_admin_asks_for_confirmation_then_publishes_through_the_service(client, selection):
    client.force_login(selection.officer)
    response = client.post("/admin/frameworks/lot/add/", lot_form(selection))
    assert response.status_code == 200
    assert "application window is open" in response.content.decode()
    assert not Lot.objects.filter(title=TITLE).exists()
    response = client.post("/admin/frameworks/lot/add/", lot_form(selection, confirm_open_window="on"))
    assert response.status_code == 302, response.content.decode()[:3000]
    lot = Lot.objects.get(title=TITLE)
    assert not lot.is_published
    response = client.post(
        "/admin/frameworks/lot/", {"action": "publish_lots", "_selected_action": [lot.pk], "index": "0"}
    )
    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.is_published
    assert AuditEvent.objects.filter(action="frameworks.lot_published").exists()


def test_an_officer_of_another_authority_cannot_add_or_publish(client, selection):
    outsider = make_user(User.Role.OFFICER)
    client.force_login(outsider)
    client.raise_request_exception = False
    client.post("/admin/frameworks/lot/add/", lot_form(selection, confirm_open_window="on"))
    assert not Lot.objects.filter(title=TITLE).exists()
