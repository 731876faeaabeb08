"""Every supply page opens for the roles it admits, in one go (the permission matrix checks the
refusals): nothing a template says can fail unseen."""

import pytest
from django.urls import reverse

from supply import services

pytestmark = pytest.mark.django_db


def test_every_page_opens(client, signed, django_capture_on_commit_callbacks):
    z = signed
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_record(contract=z.contract, actor=z.ops, delivered_on=z.contract.signed_on, quantity="1200",
                                 batch="B-1")
        services.payment_record(contract=z.contract, actor=z.ops, direction="buyer_to_company",
                                paid_on=z.contract.signed_on, amount="1000000")
    pages = [
        reverse("supply:chain_list"), reverse("supply:chain_detail", args=[z.chain.pk]),
        reverse("supply:link_create", args=[z.chain.pk]), reverse("supply:product_create", args=[z.parts.pk]),
        reverse("supply:offer_list"), reverse("supply:need_list"), reverse("supply:enterprise", args=[z.ent_a.pk]),
        reverse("supply:offer_create", args=[z.ent_a.pk]), reverse("supply:need_create", args=[z.ent_a.pk]),
        reverse("supply:offer_edit", args=[z.offer_a.pk]), reverse("supply:need_edit", args=[z.need_a.pk]),
        reverse("supply:suggestions"), reverse("supply:case_list"), reverse("supply:case_detail", args=[z.case.pk]),
        reverse("supply:contract_list"), reverse("supply:contract_detail", args=[z.contract.pk]),
        reverse("supply:delivery_list"), reverse("supply:figures"),
        reverse("supply:case_open") + f"?need={z.need_b.pk}&offer={z.offer_b.pk}",
        reverse("home"),
    ]
    for user in (z.ops, z.admin):
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 302), (user.role, url, response.status_code)
    assert client.get(reverse("supply:import")).status_code == 200  # the administrator's
    client.force_login(z.leader)
    for url in (reverse("supply:gap_target", args=[z.parts.pk]), reverse("home"), reverse("supply:figures")):
        assert client.get(url).status_code == 200, url
    client.force_login(z.steward_a.user)
    for url in (reverse("supply:obstacle_raise", args=[z.case.pk]), reverse("supply:suggestions"),
                reverse("supply:case_detail", args=[z.case.pk]), reverse("supply:chain_detail", args=[z.chain.pk])):
        assert client.get(url).status_code == 200, url
    client.force_login(z.ent_user_a)
    for url in (reverse("supply:mine"), reverse("supply:case_detail", args=[z.case.pk]),
                reverse("supply:contract_detail", args=[z.contract.pk]), reverse("home")):
        assert client.get(url).status_code == 200, url
