"""Carrying out a visit and the four-eyes review, through the services."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from huifang.audit.models import AuditEvent
from huifang.audit.services import actor_for
from huifang.followups.models import VisitStatus
from huifang.followups.selectors import visit_for
from huifang.followups.services.recording import RecordInput, contact_attempt_add, record_save
from huifang.reviews.models import Recheck, Review, Submission
from huifang.reviews.services import recheck_decide, review_decide, visit_submit


def _save(visit, user, revision, **fields):
    return record_save(
        visit=visit, user=user, actor=actor_for(user), data=RecordInput(revision=revision, **fields)
    )


def _answered(work, answers=None, notes="店铺经营正常，新增两名员工"):
    officer, visit = work["officer"], work["visit"]
    rec = _save(
        visit, officer, 0, answers=answers or {"funds_ok": "yes", "score": "4"}, notes=notes
    )
    return visit, officer, rec


def test_a_draft_is_saved_and_the_visit_is_in_progress(work):
    visit, officer, rec = _answered(work)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_PROGRESS
    assert rec.answers == {"funds_ok": True, "score": 4}
    assert rec.revision == 2  # created at 1, saved once
    assert AuditEvent.objects.filter(action="record_save", object_id=str(visit.pk)).exists()


def test_a_save_based_on_an_older_copy_is_refused_and_changes_nothing(work):
    visit, officer, rec = _answered(work)
    with pytest.raises(ValidationError, match="已在别处更新"):
        _save(visit, officer, 1, notes="覆盖别人的内容")
    rec.refresh_from_db()
    assert rec.notes == "店铺经营正常，新增两名员工"


def test_a_bad_answer_is_named_and_nothing_is_saved(work):
    visit, officer, rec = _answered(work)
    with pytest.raises(ValidationError) as exc:
        _save(visit, officer, rec.revision, answers={"funds_ok": "yes", "score": "9"})
    assert "q-score" in exc.value.message_dict
    rec.refresh_from_db()
    assert rec.answers["score"] == 4


def test_submit_needs_the_required_answers(work):
    visit, officer, rec = _answered(work, answers={"funds_ok": "no"})
    with pytest.raises(ValidationError) as exc:
        visit_submit(visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision)
    assert "q-actual_use" in exc.value.message_dict
    assert not Submission.objects.exists()


def test_returned_then_resubmitted_then_approved_by_another_reviewer(work):
    visit, officer, rec = _answered(work, answers={"funds_ok": "no", "actual_use": "购买车辆"})
    first = visit_submit(visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision)
    assert first.round == 1
    assert [f["signal"] for f in first.findings] == ["fund_misuse"]

    reviewer = work["reviewer"]
    review_decide(
        submission=first,
        reviewer=reviewer,
        actor=actor_for(reviewer),
        decision="returned",
        comment="请补充购车发票照片",
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.RETURNED

    rec.refresh_from_db()
    rec = _save(visit, officer, rec.revision, notes="已补充：借款人承认挪用资金购车")
    second = visit_submit(
        visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision
    )
    assert second.round == 2

    other = work["reviewer_a2"]
    review_decide(submission=second, reviewer=other, actor=actor_for(other), decision="approved")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.APPROVED
    # every round and decision is kept
    assert list(Submission.objects.filter(visit=visit).values_list("round", flat=True)) == [1, 2]
    assert list(Review.objects.order_by("decided_at").values_list("decision", flat=True)) == [
        "returned",
        "approved",
    ]
    assert Submission.objects.get(round=1).notes == "店铺经营正常，新增两名员工"


def test_returning_needs_a_comment(work):
    visit, officer, rec = _answered(work)
    sub = visit_submit(visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision)
    with pytest.raises(ValidationError, match="写明"):
        review_decide(
            submission=sub,
            reviewer=work["reviewer"],
            actor=actor_for(work["reviewer"]),
            decision="returned",
        )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SUBMITTED


def test_a_reviewer_cannot_approve_a_record_they_had_a_hand_in(work, client):
    # given a reviewer who also started the record (e.g. on the officer's behalf)
    visit, officer, rec = _answered(work)
    reviewer = work["reviewer"]
    rec.started_by = reviewer
    rec.save(update_fields=["started_by"])
    sub = visit_submit(visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision)
    # when they try to approve it, the service refuses
    with pytest.raises(PermissionDenied):
        review_decide(
            submission=sub, reviewer=reviewer, actor=actor_for(reviewer), decision="approved"
        )
    # and so does the page, which records the refusal in the audit trail
    client.force_login(reviewer)
    page = client.get(f"/reviews/{visit.pk}/").content.decode()
    assert "四眼原则" in page and 'value="approved"' not in page
    response = client.post(
        f"/reviews/{visit.pk}/decide/", {"submission": sub.pk, "decision": "approved"}
    )
    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SUBMITTED
    assert AuditEvent.objects.filter(action="access_denied", actor_name=reviewer.username).exists()


def test_an_officer_cannot_review_at_all(work):
    visit, officer, rec = _answered(work)
    sub = visit_submit(visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision)
    other = work["officer_a2"]
    with pytest.raises(PermissionDenied):
        review_decide(submission=sub, reviewer=other, actor=actor_for(other), decision="approved")


def test_only_the_assignee_may_work_on_a_visit(work):
    with pytest.raises(PermissionDenied):
        visit_for(work["officer_a2"], work["visit"].pk, work=True)
    assert visit_for(work["officer"], work["visit"].pk, work=True) == work["visit"]


def test_unreachable_three_days_may_be_submitted_without_answers(work, settings):
    settings.HUIFANG_CONTACT_MAX_ATTEMPTS = 3
    officer, visit = work["officer"], work["visit"]
    start = timezone.now() - timedelta(days=10)
    contact_attempt_add(
        visit=visit, user=officer, actor=actor_for(officer), result="unreachable", at=start
    )
    with pytest.raises(ValidationError) as exc:
        rec = visit.record
        visit_submit(visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision)
    assert "contact" in exc.value.message_dict
    for days in (1, 2):
        contact_attempt_add(
            visit=visit,
            user=officer,
            actor=actor_for(officer),
            result="unreachable",
            at=start + timedelta(days=days),
        )
    visit.record.refresh_from_db()
    sub = visit_submit(
        visit=visit, user=officer, actor=actor_for(officer), revision=visit.record.revision
    )
    assert sub.answers == {}
    assert sub.contact_result == "unreachable"
    assert [f["signal"] for f in sub.findings] == ["contact_failure"]


def test_a_share_of_approvals_is_drawn_for_a_recheck_by_a_third_reviewer(work, settings):
    settings.HUIFANG_RECHECK_SHARE = 1.0
    visit, officer, rec = _answered(work)
    sub = visit_submit(visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision)
    approver = work["reviewer"]
    review_decide(submission=sub, reviewer=approver, actor=actor_for(approver), decision="approved")
    recheck = Recheck.objects.get(submission=sub)
    # the approver may not re-check their own approval
    with pytest.raises(PermissionDenied):
        recheck_decide(
            recheck=recheck, user=approver, actor=actor_for(approver), outcome="confirmed"
        )
    other = work["reviewer_a2"]
    with pytest.raises(ValidationError):
        recheck_decide(recheck=recheck, user=other, actor=actor_for(other), outcome="disputed")
    recheck_decide(
        recheck=recheck,
        user=other,
        actor=actor_for(other),
        outcome="disputed",
        comment="照片与地址不符",
    )
    recheck.refresh_from_db()
    assert recheck.outcome == "disputed" and recheck.decided_by == other
    visit.refresh_from_db()
    assert visit.status == VisitStatus.APPROVED  # the approved record stays


def test_no_recheck_when_the_share_is_zero(work, settings):
    settings.HUIFANG_RECHECK_SHARE = 0
    visit, officer, rec = _answered(work)
    sub = visit_submit(visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision)
    review_decide(
        submission=sub,
        reviewer=work["reviewer"],
        actor=actor_for(work["reviewer"]),
        decision="approved",
    )
    assert not Recheck.objects.exists()


def test_a_visit_with_evidence_or_a_link_is_started_and_survives_replanning(work):
    import io
    from datetime import date

    from PIL import Image

    from huifang.evidence.services import attachment_add
    from huifang.followups.models import Visit
    from huifang.followups.services.online import online_link_issue
    from huifang.followups.services.planning import plan_followups
    from huifang.portfolio.services.loans import loan_update

    officer, visit = work["officer"], work["visit"]
    other = (
        Visit.objects.filter(loan=visit.loan, status=VisitStatus.PLANNED)
        .exclude(pk=visit.pk)
        .first()
    )
    other.assignee = officer
    other.save(update_fields=["assignee"])
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    # given a photo on one planned visit and an online link sent for another
    attachment_add(
        visit=visit,
        name="门店.jpg",
        content_type="image/jpeg",
        data=buffer.getvalue(),
        user=officer,
        actor=actor_for(officer),
    )
    online_link_issue(visit=other, user=officer, actor=actor_for(officer))
    visit.refresh_from_db()
    other.refresh_from_db()
    assert visit.status == other.status == VisitStatus.IN_PROGRESS

    # when the loan's risk changes and planning runs again
    loan_update(loan=visit.loan, actor=actor_for(work["risk_manager"]), risk_level="high")
    plan_followups(as_of=date(2025, 1, 1), actor=actor_for(None, via="command"))

    # then both visits, their photo and their link are still there
    assert Visit.objects.filter(pk__in=[visit.pk, other.pk]).count() == 2
    assert visit.attachments.count() == 1 and other.online_links.count() == 1


def test_a_reused_photo_is_flagged_to_the_reviewer(work, client):
    import io

    from PIL import Image, ImageDraw

    from huifang.evidence.services import attachment_add
    from huifang.followups.models import Visit

    officer, visit = work["officer"], work["visit"]
    earlier = Visit.objects.filter(loan=visit.loan).exclude(pk=visit.pk).first()
    earlier.assignee = officer
    earlier.save(update_fields=["assignee"])
    picture = Image.new("RGB", (400, 300), "white")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((40, 40, 200, 160), fill="navy")
    draw.ellipse((220, 120, 380, 280), fill="orange")

    def jpeg(size, quality):
        out = io.BytesIO()
        picture.resize(size).save(out, "JPEG", quality=quality)
        return out.getvalue()

    # given a shop photo already filed with an earlier visit
    attachment_add(
        visit=earlier,
        name="门店.jpg",
        content_type="image/jpeg",
        data=jpeg((400, 300), 90),
        user=officer,
        actor=actor_for(officer),
    )
    # when the same picture, resized and recompressed, comes with this visit
    _attachment, flags = attachment_add(
        visit=visit,
        name="IMG_0001.jpg",
        content_type="image/jpeg",
        data=jpeg((320, 240), 60),
        user=officer,
        actor=actor_for(officer),
    )
    assert [f.kind for f in flags] == ["reused_photo"]
    visit.refresh_from_db()
    rec = _save(visit, officer, visit.record.revision, answers={"funds_ok": "yes"})
    visit_submit(visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision)

    # then the reviewer is told before deciding
    client.force_login(work["reviewer"])
    page = client.get(f"/reviews/{visit.pk}/").content.decode()
    assert "data-evidence-flags=" in page and "照片疑似重复使用" in page


def test_the_recheck_queue_leaves_out_whoever_had_a_hand_in_the_record(work, settings):
    from huifang.reviews.selectors import rechecks_open

    settings.HUIFANG_RECHECK_SHARE = 1.0
    visit, officer, rec = _answered(work)
    sub = visit_submit(visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision)
    approver, third = work["reviewer"], work["reviewer_a2"]
    review_decide(submission=sub, reviewer=approver, actor=actor_for(approver), decision="approved")
    assert list(rechecks_open(user=third)) == [Recheck.objects.get(submission=sub)]
    assert not rechecks_open(user=approver).exists()
    # a reviewer who was the visit's assignee had a hand in it: not in their queue, refused
    type(visit).objects.filter(pk=visit.pk).update(assignee=third)
    assert not rechecks_open(user=third).exists()
    with pytest.raises(PermissionDenied):
        recheck_decide(
            recheck=Recheck.objects.get(submission=sub),
            user=third,
            actor=actor_for(third),
            outcome="confirmed",
        )
