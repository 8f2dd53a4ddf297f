"""The evidence API: list, upload, download and flags, through the same gate."""

from django.core.files.uploadedfile import SimpleUploadedFile

from huifang.evidence.models import Attachment
from huifang.evidence.services import evidence_check_onsite
from huifang.evidence.tests.conftest import add, pdf, picture, site


def test_the_officer_uploads_and_lists_through_the_api(world, client):
    add(world.visit_b, world.officer_b, picture(7))
    client.force_login(world.officer_a)

    # when officer A posts a re-encoded copy of branch B's photo
    response = client.post(
        f"/api/v1/visits/{world.visit_a.pk}/attachments",
        {"file": SimpleUploadedFile("门店.jpg", picture(7, (500, 375), quality=50))},
    )

    # then it is created, with the reuse flag in the answer
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["attachment"]["kind"] == "photo"
    assert body["attachment"]["original_name"] == "门店.jpg"
    assert body["attachment"]["uploaded_by"] == world.officer_a.username
    (flag,) = body["flags"]
    assert flag["kind"] == "reused_photo" and flag["label"] == "照片疑似重复使用"
    assert flag["detail"]["matches"][0]["loan_no"] == "B-0001"

    listed = client.get(f"/api/v1/visits/{world.visit_a.pk}/attachments").json()
    assert [a["id"] for a in listed] == [body["attachment"]["id"]]
    flags = client.get(f"/api/v1/visits/{world.visit_a.pk}/evidence-flags").json()
    assert [f["kind"] for f in flags] == ["reused_photo"]


def test_a_refused_upload_is_a_422_naming_the_file(world, client):
    client.force_login(world.officer_a)
    response = client.post(
        f"/api/v1/visits/{world.visit_a.pk}/attachments",
        {"file": SimpleUploadedFile("脚本.sh", b"#!/bin/sh\nrm -rf /\n")},
    )
    assert response.status_code == 422
    assert "文件“脚本.sh”的格式不支持" in response.json()["detail"]["file"][0]
    assert not Attachment.objects.exists()


def test_download_and_flags_follow_the_gate(world, client):
    document, _ = add(world.visit_a, world.officer_a, pdf(), name="合同.pdf")
    site(world.visit_a, None, None)
    evidence_check_onsite(visit=world.visit_a, occurred_at=None, latitude=None, longitude=None)

    client.force_login(world.auditor)
    response = client.get(f"/api/v1/attachments/{document.pk}")
    assert response.status_code == 200 and response.content == pdf()
    assert response["Content-Type"] == "application/pdf"
    flags = client.get(f"/api/v1/visits/{world.visit_a.pk}/evidence-flags").json()
    assert {f["kind"]: f["informational"] for f in flags} == {
        "no_location": False,
        "no_site_location": True,
    }

    for user in (world.admin, world.officer_b):
        client.force_login(user)
        assert client.get(f"/api/v1/attachments/{document.pk}").status_code == 403
        assert client.get(f"/api/v1/visits/{world.visit_a.pk}/attachments").status_code == 403
        assert client.get(f"/api/v1/visits/{world.visit_a.pk}/evidence-flags").status_code == 403
