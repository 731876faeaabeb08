"""Issue 13, item 10: a five-key node's evidence takes files (photos, PDF) through the checked
attachment path, and they are served only to those who may see the node."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import NodeEvidenceFile
from projects.tests.factories import FiveKeyItemFactory, FiveKeyNodeFactory
from stewards.tests.factories import PDF_BYTES, pdf, png
from zonehub.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def node(zone):
    item = FiveKeyItemFactory(responsible_unit=zone.dept_a)
    return FiveKeyNodeFactory(item=item, name="竣工验收")


def complete(client, node, **files):
    return client.post(reverse("projects:node_complete", args=[node.pk]),
                       {"completed_on": "2026-06-20", "evidence": "验收报告", **files})


def test_the_unit_attaches_a_photo_and_a_pdf_and_everyone_who_sees_the_node_opens_them(client, zone, node):
    form_page = reverse("projects:node_complete", args=[node.pk])
    client.force_login(zone.dept_user_a)
    assert 'enctype="multipart/form-data"' in client.get(form_page).content.decode()
    response = complete(client, node, files=[pdf("验收报告.pdf"), png("现场.png")])
    assert response.status_code == 302
    node.refresh_from_db()
    assert node.completed_on is not None
    files = list(NodeEvidenceFile.objects.filter(node=node).order_by("original_name"))
    assert [(f.original_name, f.content_type) for f in files] == [("现场.png", "image/png"),
                                                                  ("验收报告.pdf", "application/pdf")]
    assert Event.objects.filter(kind="fivekey.node_completed", subject_id=node.pk).get().data["files"]

    html = client.get(node.item.get_absolute_url()).content.decode()
    url = files[1].get_absolute_url()
    assert url in html and "验收报告.pdf" in html
    for user in (zone.leader, zone.steward_a.user, zone.dept_user_b):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF_BYTES
    # Not an enterprise's; a file of another node under this node's address is not found.
    client.force_login(zone.ent_user_a)
    assert client.get(url).status_code in (403, 404)
    client.force_login(zone.leader)
    other = FiveKeyNodeFactory(item=node.item)
    assert client.get(reverse("projects:node_evidence", args=[other.pk, files[1].pk])).status_code == 404


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_changes(client, zone, node):
    client.force_login(zone.dept_user_a)
    fake = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    response = complete(client, node, files=[fake, pdf()])
    assert response.status_code == 200
    assert "照片.jpg" in response.content.decode()
    node.refresh_from_db()
    assert node.completed_on is None and not NodeEvidenceFile.objects.exists()

    exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = complete(client, node, files=[exe])
    assert response.status_code == 200 and not NodeEvidenceFile.objects.exists()


def test_completion_without_files_still_works(client, zone, node):
    client.force_login(zone.dept_user_a)
    assert complete(client, node).status_code == 302
    node.refresh_from_db()
    assert node.completed_on is not None and not NodeEvidenceFile.objects.exists()
