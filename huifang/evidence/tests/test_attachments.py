"""Adding and withdrawing attachments (services): reuse flags, encryption at rest, refusals."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huifang.audit.models import AuditEvent
from huifang.evidence.models import Attachment, AttachmentKind, EvidenceFlag, FlagKind
from huifang.evidence.services import attachment_add, attachment_remove
from huifang.evidence.storage import attachment_content
from huifang.evidence.tests.conftest import actor, add, pdf, picture, stored_files, wav
from huifang.followups.models import VisitStatus
from huifang.reviews.models import Submission


def test_a_photo_is_stored_with_its_fingerprint_and_audited(world, _data_dir):
    # given officer A's own open visit
    data = picture(1, taken="2025:06:16 10:20:30")

    # when the officer adds a photo
    attachment, flags = add(world.visit_a, world.officer_a, data, name="C:\\fakepath\\门店.jpg")

    # then it is a photo with its hash, EXIF time and a clean name, unflagged, and audited
    assert flags == []
    assert attachment.kind == AttachmentKind.PHOTO
    assert attachment.original_name == "门店.jpg"
    assert attachment.content_type == "image/jpeg"
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.phash is not None
    assert attachment.taken_at.isoformat() == "2025-06-16T10:20:30+08:00"
    event = AuditEvent.objects.get(action="create", object_type="evidence.attachment")
    assert event.object_id == str(attachment.pk) and event.actor_name == "officer_a"
    assert event.after["sha256"] == attachment.sha256
    assert attachment_content(attachment) == data


def test_a_reused_photo_is_flagged_across_branches_and_a_different_one_is_not(world):
    # given a photo on branch B's visit
    first, _ = add(world.visit_b, world.officer_b, picture(7, (1600, 1200), quality=92))

    # when officer A uploads the same scene, re-encoded smaller and at another quality
    reused, flags = add(world.visit_a, world.officer_a, picture(7, (640, 480), quality=60))

    # then it is flagged as reused, naming the other visit and loan
    assert [f.kind for f in flags] == [FlagKind.REUSED_PHOTO]
    (match,) = flags[0].detail["matches"]
    assert match["visit"] == world.visit_b.pk and match["loan_no"] == "B-0001"
    assert match["attachment"] == first.pk and match["distance"] <= 8
    assert "B-0001" in flags[0].text and "照片高度相似" in flags[0].text
    assert flags[0].attachment == reused
    assert AuditEvent.objects.get(
        object_type="evidence.attachment", object_id=str(reused.pk)
    ).after["flags"] == ["reused_photo"]

    # and a different picture is not flagged
    _, other_flags = add(world.visit_a, world.officer_a, picture(8))
    assert other_flags == []


def test_the_same_photo_twice_on_one_visit_is_no_reuse(world):
    add(world.visit_a, world.officer_a, picture(7))
    _, flags = add(world.visit_a, world.officer_a, picture(7, (800, 600)))
    assert flags == []


def test_a_withdrawn_photo_no_longer_counts_as_the_original(world):
    wrong, _ = add(world.visit_a_later, world.officer_a, picture(7))
    attachment_remove(attachment=wrong, user=world.officer_a, actor=actor(world.officer_a))
    _, flags = add(world.visit_a, world.officer_a, picture(7))
    assert flags == []


def test_an_identical_file_on_another_visit_is_flagged_and_stored_once(world, _data_dir):
    # given a contract PDF on one visit of A-0001
    first, _ = add(world.visit_a_later, world.officer_a, pdf(), name="合同.pdf")

    # when the same file is added to another visit
    second, flags = add(world.visit_a, world.officer_a, pdf(), name="合同扫描.pdf")

    # then it is flagged as a duplicate, and the content is kept once
    assert [f.kind for f in flags] == [FlagKind.DUPLICATE_FILE]
    assert flags[0].detail["matches"][0]["attachment"] == first.pk
    assert "完全相同" in flags[0].text
    assert len(stored_files(_data_dir)) == 1
    assert attachment_content(second) == pdf()


def test_an_identical_photo_is_both_a_duplicate_and_a_reuse(world):
    add(world.visit_b, world.officer_b, picture(5))
    _, flags = add(world.visit_a, world.officer_a, picture(5))
    assert {f.kind for f in flags} == {FlagKind.DUPLICATE_FILE, FlagKind.REUSED_PHOTO}
    reuse = next(f for f in flags if f.kind == FlagKind.REUSED_PHOTO)
    assert reuse.detail["matches"][0]["distance"] == 0


def test_contents_are_encrypted_at_rest(world, _data_dir):
    # given a photo, a document and a recording with recognisable contents
    photo, document, recording = picture(11), pdf() + b"SECRET-CONTRACT-TEXT", wav(0.5)
    for data, name in ((photo, "a.jpg"), (document, "b.pdf"), (recording, "c.wav")):
        add(world.visit_a, world.officer_a, data, name=name)

    # then no file on disk holds any of them, or a recognisable piece of them
    files = [p.read_bytes() for p in _data_dir.rglob("*") if p.is_file()]
    assert len(files) == 3
    for data in (photo, document, recording):
        for disk in files:
            assert data not in disk and data[:64] not in disk and data[-64:] not in disk
    assert not any(b"SECRET-CONTRACT-TEXT" in disk for disk in files)
    # and each decrypts to what was uploaded
    assert sorted(attachment_content(a) for a in Attachment.objects.all()) == sorted(
        [photo, document, recording]
    )


def _nothing_stored(data_dir) -> None:
    assert Attachment.objects.count() == 0
    assert stored_files(data_dir) == []
    assert not AuditEvent.objects.filter(object_type="evidence.attachment").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("病毒.exe", b"MZ\x90\x00" + bytes(300), "文件“病毒.exe”的格式不支持"),
        ("截图.png", b"not really a png", "文件“截图.png”的格式不支持"),
        ("空.pdf", b"", "文件“空.pdf”是空的"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused_and_nothing_is_stored(
    world, _data_dir, name, data, message
):
    with pytest.raises(ValidationError) as exc:
        add(world.visit_a, world.officer_a, data, name=name)
    assert message in exc.value.message_dict["file"][0]
    _nothing_stored(_data_dir)


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(world, _data_dir, settings):
    settings.HUIFANG_ATTACHMENT_MAX_MB = 1
    big = pdf() + bytes(1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        add(world.visit_a, world.officer_a, big, name="大文件.pdf")
    assert exc.value.message_dict["file"] == ["文件“大文件.pdf”有 1.0 MB，超过了 1 MB 的上限。"]
    _nothing_stored(_data_dir)


def test_asking_for_another_kind_is_checked_against_the_content(world):
    # a photographed contract may be filed as a document...
    scan, flags = attachment_add(
        visit=world.visit_a,
        name="合同照片.jpg",
        content_type="image/jpeg",
        data=picture(2),
        user=world.officer_a,
        actor=actor(world.officer_a),
        kind="document",
    )
    assert scan.kind == AttachmentKind.DOCUMENT and scan.phash is None
    # ...but a PDF is not a recording
    with pytest.raises(ValidationError) as exc:
        attachment_add(
            visit=world.visit_a,
            name="合同.pdf",
            content_type="audio/mpeg",
            data=pdf(),
            user=world.officer_a,
            actor=actor(world.officer_a),
            kind="recording",
        )
    assert exc.value.message_dict["file"] == ["文件“合同.pdf”不是录音，而是文件。"]


@pytest.mark.parametrize("who", ["officer_a2", "reviewer_a", "risk_manager", "admin", "auditor"])
def test_only_the_visits_own_officer_may_add(world, _data_dir, who):
    with pytest.raises(PermissionDenied):
        add(world.visit_a, getattr(world, who), picture(1))
    _nothing_stored(_data_dir)


@pytest.mark.parametrize("status", [VisitStatus.SUBMITTED, VisitStatus.APPROVED])
def test_nothing_is_added_to_a_visit_that_is_no_longer_open(world, _data_dir, status):
    world.visit_a.status = status
    world.visit_a.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="不能再添加附件"):
        add(world.visit_a, world.officer_a, picture(1))
    _nothing_stored(_data_dir)


def _submit(visit, questionnaire) -> None:
    Submission.objects.create(
        visit=visit, round=1, questionnaire=questionnaire, channel=visit.channel, answers={}
    )


def test_withdrawing_before_the_first_submission_keeps_the_row_and_the_file(world, _data_dir):
    # given a photo on a visit never submitted
    photo, _ = add(world.visit_a, world.officer_a, picture(1))

    # when the officer withdraws it
    attachment_remove(attachment=photo, user=world.officer_a, actor=actor(world.officer_a))

    # then it is marked withdrawn (row and file stay), and the withdrawal is audited
    photo.refresh_from_db()
    assert photo.removed_at is not None and photo.removed_by == world.officer_a
    assert attachment_content(photo) == picture(1)
    assert AuditEvent.objects.filter(action="withdraw", object_id=str(photo.pk)).exists()
    # and it cannot be withdrawn twice
    with pytest.raises(ValidationError, match="已经撤回"):
        attachment_remove(attachment=photo, user=world.officer_a, actor=actor(world.officer_a))


def test_after_a_submission_nothing_can_be_withdrawn_even_when_returned(world, tiny_questionnaires):
    # given a photo on a visit that was submitted once and returned for correction
    photo, _ = add(world.visit_a, world.officer_a, picture(1))
    _submit(world.visit_a, tiny_questionnaires["test-officer"])
    world.visit_a.status = VisitStatus.RETURNED
    world.visit_a.save(update_fields=["status"])

    # when the officer tries to withdraw it, it is refused and stays
    with pytest.raises(ValidationError, match="回访已提交过审核，附件“现场.jpg”不能撤回"):
        attachment_remove(attachment=photo, user=world.officer_a, actor=actor(world.officer_a))
    photo.refresh_from_db()
    assert photo.removed_at is None
    # while a new photo may still be added to the returned visit
    add(world.visit_a, world.officer_a, picture(2))


def test_another_officer_cannot_withdraw(world):
    photo, _ = add(world.visit_a, world.officer_a, picture(1))
    with pytest.raises(PermissionDenied):
        attachment_remove(attachment=photo, user=world.officer_a2, actor=actor(world.officer_a2))
    assert not EvidenceFlag.objects.exists()
    photo.refresh_from_db()
    assert photo.removed_at is None
