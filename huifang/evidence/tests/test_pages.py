"""The evidence pages: uploading from the visit page, downloads, thumbnails, withdrawing, the include."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from huifang.audit.models import AuditEvent
from huifang.evidence.models import Attachment, FlagKind
from huifang.evidence.selectors import evidence_context
from huifang.evidence.services import evidence_check_onsite
from huifang.evidence.tests.conftest import (
    AUDIO_HEADS,
    add,
    ooxml,
    pdf,
    picture,
    site,
    stored_files,
)
from huifang.reviews.models import Submission


def upload_url(visit) -> str:
    return reverse("attachment_upload", args=[visit.pk])


def file(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def said(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_the_officer_uploads_several_files_and_returns_to_the_visit(world, client):
    # given branch B's visit already holds a photo of the same scene
    add(world.visit_b, world.officer_b, picture(7, (1600, 1200)))
    client.force_login(world.officer_a)

    # when officer A uploads a photo (from the file picker), a camera shot and a recording
    response = client.post(
        upload_url(world.visit_a),
        {
            "file": [
                file("门店.jpg", picture(7, (800, 600), quality=70), "image/jpeg"),
                file("image.jpg", picture(9), "image/jpeg"),
                file("录音.m4a", AUDIO_HEADS["m4a"][1], "audio/x-m4a"),
            ]
        },
    )

    # then they are stored, the reuse is shown as a warning, and the officer is back on the visit
    assert response.status_code == 302
    assert response["Location"] == f"/visits/{world.visit_a.pk}/"
    kinds = list(Attachment.objects.filter(visit=world.visit_a).values_list("kind", flat=True))
    assert kinds == ["photo", "photo", "recording"]
    messages = said(response)
    assert ("success", "已上传 3 个附件。") in messages
    (warning,) = [text for level, text in messages if level == "warning"]
    assert warning.startswith("“门店.jpg”：照片疑似重复使用。与 B-0001 的回访")


def test_a_refused_file_is_named_and_the_others_are_kept(world, client, settings, _data_dir):
    settings.HUIFANG_ATTACHMENT_MAX_MB = 1
    client.force_login(world.officer_a)
    response = client.post(
        upload_url(world.visit_a),
        {
            "file": [
                file("setup.exe", b"MZ" + bytes(100)),
                file("大合同.pdf", pdf() + bytes(1024 * 1024 + 1)),
                file("合同.pdf", pdf(), "application/pdf"),
            ]
        },
    )
    assert response["Location"] == f"/visits/{world.visit_a.pk}/"
    errors = [text for level, text in said(response) if level == "error"]
    assert errors[0].startswith("文件“setup.exe”的格式不支持")
    assert errors[1] == "文件“大合同.pdf”有 1.0 MB，超过了 1 MB 的上限。"
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["合同.pdf"]
    assert len(stored_files(_data_dir)) == 1


def test_uploads_never_touch_the_disk_unencrypted(world, client, settings, tmp_path):
    # given Django would spool anything over 1 KB to a temporary folder that does not exist
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "no-such-folder")
    client.force_login(world.officer_a)

    # when a 200 KB scan is uploaded, it is kept in memory and stored encrypted
    data = pdf() + bytes(200_000)
    client.post(upload_url(world.visit_a), {"file": file("扫描件.pdf", data)})
    assert Attachment.objects.get().size == len(data)


def test_an_upload_with_no_file_says_so(world, client):
    client.force_login(world.officer_a)
    response = client.post(upload_url(world.visit_a), {})
    assert said(response) == [("error", "请选择要上传的照片、文件或录音。")]


@pytest.mark.parametrize("who", ["officer_a2", "reviewer_a", "admin", "auditor"])
def test_only_the_visits_officer_may_upload(world, client, who):
    user = getattr(world, who)
    client.force_login(user)
    response = client.post(upload_url(world.visit_a), {"file": file("a.jpg", picture(1))})
    assert response.status_code == 403
    assert not Attachment.objects.exists()
    assert AuditEvent.objects.filter(action="access_denied", actor_name=user.username).exists()


def test_uploads_need_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer_a)
    response = client.post(upload_url(world.visit_a), {"file": file("a.jpg", picture(1))})
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_a_photo_opens_in_the_browser_with_its_chinese_name(world, client):
    photo, _ = add(world.visit_a, world.officer_a, picture(1), name="门店 照片.jpg")
    client.force_login(world.reviewer_a)
    response = client.get(reverse("attachment_download", args=[photo.pk]))
    assert response.status_code == 200
    assert response.content == picture(1)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == (
        "inline; filename*=utf-8''%E9%97%A8%E5%BA%97%20%E7%85%A7%E7%89%87.jpg"
    )
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "data", "disposition"),
    [
        ("合同.pdf", pdf(), "inline"),
        ("录音.mp3", AUDIO_HEADS["mp3 (ID3)"][1], "inline"),
        ("流水.docx", ooxml("word/"), "attachment"),
    ],
)
def test_pdf_and_audio_open_inline_and_office_files_download(
    world, client, name, data, disposition
):
    attachment, _ = add(world.visit_a, world.officer_a, data, name=name)
    client.force_login(world.auditor)
    response = client.get(reverse("attachment_download", args=[attachment.pk]))
    assert response["Content-Disposition"].startswith(f"{disposition}; filename")
    assert response["Content-Type"] == attachment.content_type


def test_a_thumbnail_is_a_small_jpeg(world, client):
    photo, _ = add(world.visit_a, world.officer_a, picture(1, (2000, 1500), fmt="PNG"), "a.png")
    client.force_login(world.officer_a)
    response = client.get(reverse("attachment_thumb", args=[photo.pk]))
    assert response["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (320, 240)
    document, _ = add(world.visit_a, world.officer_a, pdf(), "b.pdf")
    assert client.get(reverse("attachment_thumb", args=[document.pk])).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer_a", 200),
        ("officer_a2", 200),  # a colleague of the branch
        ("reviewer_a", 200),
        ("risk_manager", 200),
        ("auditor", 200),
        ("admin", 403),  # administers the system, does not read evidence
        ("officer_b", 403),  # another branch
    ],
)
def test_who_may_see_a_photo(world, client, who, status):
    photo, _ = add(world.visit_a, world.officer_a, picture(1))
    client.force_login(getattr(world, who))
    for name in ("attachment_download", "attachment_thumb"):
        assert client.get(reverse(name, args=[photo.pk])).status_code == status
    assert client.get(reverse("attachment_download", args=[999_999])).status_code in (403, 404)


def test_withdrawing_from_the_page(world, client, tiny_questionnaires):
    photo, _ = add(world.visit_a, world.officer_a, picture(1))
    client.force_login(world.officer_a)
    response = client.post(reverse("attachment_remove", args=[photo.pk]))
    assert response["Location"] == f"/visits/{world.visit_a.pk}/"
    assert said(response) == [("success", "已撤回附件“现场.jpg”。")]
    photo.refresh_from_db()
    assert photo.removed_at is not None

    # once the visit has been submitted, nothing more can be withdrawn
    other, _ = add(world.visit_a, world.officer_a, picture(2), name="第二张.jpg")
    Submission.objects.create(
        visit=world.visit_a,
        round=1,
        questionnaire=tiny_questionnaires["test-officer"],
        channel="onsite",
    )
    response = client.post(reverse("attachment_remove", args=[other.pk]))
    assert said(response)[-1:] == [("error", "回访已提交过审核，附件“第二张.jpg”不能撤回。")]
    other.refresh_from_db()
    assert other.removed_at is None


def _render(user, visit) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("evidence/_attachments.html", evidence_context(user, visit), request)


def test_the_include_shows_photos_files_recordings_and_warnings(world):
    # given a visit with a reused photo, a document, a recording and an on-site check done
    add(world.visit_b, world.officer_b, picture(7))
    photo, _ = add(world.visit_a, world.officer_a, picture(7, (640, 480)), name="门店.jpg")
    add(world.visit_a, world.officer_a, pdf(), name="合同.pdf")
    recording, _ = add(world.visit_a, world.officer_a, AUDIO_HEADS["amr"][1], name="通话.amr")
    site(world.visit_a, None, None)
    evidence_check_onsite(visit=world.visit_a, occurred_at=None, latitude=None, longitude=None)

    # when its officer sees the visit page's evidence section
    html = _render(world.officer_a, world.visit_a)

    # then the photo is a lazy thumbnail, the recording plays, and each flag is spelt out
    assert f'<img src="/attachments/{photo.pk}/thumb/" alt="门店.jpg" loading="lazy"' in html
    assert f'<audio controls preload="none" src="/attachments/{recording.pk}/">' in html
    assert "合同.pdf" in html
    assert html.count('class="evidence-flag"') == 2  # reuse and no location: warnings
    assert html.count('class="evidence-flag evidence-flag-info"') == 1
    for kind in (FlagKind.REUSED_PHOTO, FlagKind.NO_LOCATION, FlagKind.NO_SITE_LOCATION):
        assert str(kind.label) in html
    assert "与 B-0001 的回访" in html and "实地回访没有记录定位" in html
    # and the upload form takes several files, or a photo from the phone's camera
    assert (
        '<input type="file" name="file" multiple accept="image/*,audio/*,.pdf,.doc,.docx,.xls,.xlsx">'
        in html
    )
    assert '<input type="file" name="file" accept="image/*" capture="environment">' in html
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert html.count("撤回</button>") == 3


def test_the_include_offers_no_upload_to_others_and_no_files_to_admins(world):
    add(world.visit_a, world.officer_a, picture(1), name="门店.jpg")
    reviewer_view = _render(world.reviewer_a, world.visit_a)
    assert "门店.jpg" in reviewer_view
    assert 'name="file"' not in reviewer_view and "撤回</button>" not in reviewer_view
    admin_view = _render(world.admin, world.visit_a)
    assert "门店.jpg" not in admin_view and "不能查看回访的照片" in admin_view
