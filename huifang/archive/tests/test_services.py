"""Filing visits in the archive (archive.services) and the reindex_archive command."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from huifang.archive.models import VisitIndex
from huifang.archive.selectors import archive_search
from huifang.archive.services import archive_index_visit, archive_reindex
from huifang.audit.models import AuditEvent
from huifang.followups.models import VisitStatus

from .factories import file_visit


def test_an_approved_visit_is_filed_with_its_words(two_branches, visits_a):
    visit = file_visit(
        visits_a[0],
        notes="店铺生意兴隆，新增两名员工",
        answers={"revenue_trend": "up", "remarks": "准备开分店"},
        findings=[{"signal": "other_risk", "severity": "low", "label": "关注同业竞争"}],
        on=date(2025, 5, 6),
        channel="video",
    )
    entry = VisitIndex.objects.get(visit=visit)
    assert entry.branch_id == visit.branch_id and entry.loan_id == visit.loan_id
    assert (entry.kind, entry.channel, entry.occurred_on) == (visit.kind, "video", date(2025, 5, 6))
    words = entry.tokens.split(" ")
    for word in ("a", "0001", "张伟", "员工", "生意兴隆", "开", "分店", "同业", "竞争"):
        assert word in words, word
    assert "，" not in entry.tokens and "  " not in entry.tokens
    assert len(words) == len(set(words))


def test_indexing_again_replaces_the_entry(two_branches, visits_a):
    visit = file_visit(visits_a[0], notes="新增员工")
    file_visit(visit, notes="改为经营正常")  # a new approved round (as after a re-check)
    assert VisitIndex.objects.filter(visit=visit).count() == 1
    officer = two_branches["officer"]
    assert [v.pk for v in archive_search(user=officer, q="经营")] == [visit.pk]
    assert list(archive_search(user=officer, q="员工")) == []


def test_a_visit_no_longer_approved_leaves_the_archive(two_branches, visits_a):
    visit = file_visit(visits_a[0], notes="新增员工")
    visit.status = VisitStatus.CANCELLED
    visit.save(update_fields=["status"])
    assert archive_index_visit(visit=visit) is None
    assert not VisitIndex.objects.filter(visit=visit).exists()
    assert list(archive_search(user=two_branches["risk_manager"], q="员工")) == []


@pytest.mark.parametrize("outcome", [VisitStatus.SUBMITTED, VisitStatus.RETURNED])
def test_indexing_a_visit_not_approved_files_nothing(two_branches, visits_a, outcome):
    visit = file_visit(visits_a[0], notes="新增员工", outcome=outcome)
    assert archive_index_visit(visit=visit) is None
    assert VisitIndex.objects.count() == 0


def test_reindex_rebuilds_every_approved_visit_and_drops_the_rest(two_branches, visits_a, visits_b):
    # given two approved visits, one waiting for review, and an archive gone stale
    one = file_visit(visits_a[0], notes="新增员工")
    two = file_visit(visits_b[0], notes="购进面粉")
    file_visit(visits_a[1], notes="停产", outcome=VisitStatus.SUBMITTED)
    VisitIndex.objects.filter(visit=one).update(tokens="旧词")
    VisitIndex.objects.filter(visit=two).delete()
    # when the archive is rebuilt
    assert archive_reindex() == 2
    # then both approved visits are found by their words again, and only they
    rm = two_branches["risk_manager"]
    assert [v.pk for v in archive_search(user=rm, q="员工")] == [one.pk]
    assert [v.pk for v in archive_search(user=rm, q="面粉")] == [two.pk]
    assert list(archive_search(user=rm, q="旧词")) == []
    assert list(archive_search(user=rm, q="停产")) == []
    assert VisitIndex.objects.count() == 2


def test_reindex_reports_progress(two_branches, visits_a):
    file_visit(visits_a[0], notes="新增员工")
    done = []
    archive_reindex(progress=done.append)
    assert sum(done) == 1


def test_the_reindex_command_prints_the_count_and_is_audited(two_branches, visits_a):
    file_visit(visits_a[0], notes="新增员工")
    file_visit(visits_a[1], notes="购进面粉")
    VisitIndex.objects.all().delete()
    out = StringIO()
    call_command("reindex_archive", "--as", "admin_a", stdout=out)
    assert "indexed 2 approved visits" in out.getvalue()
    assert VisitIndex.objects.count() == 2
    assert AuditEvent.objects.filter(action="archive_reindex", actor_name="admin_a").exists()


def test_the_reindex_command_is_refused_to_an_officer(two_branches):
    with pytest.raises(CommandError, match="permission denied"):
        call_command("reindex_archive", "--as", "officer_a", stdout=StringIO())
    assert AuditEvent.objects.filter(action="access_denied", actor_name="officer_a").exists()


def test_approving_a_round_files_the_visit_and_returning_does_not(two_branches, visits_a):
    from huifang.audit.services import actor_for
    from huifang.reviews.services import review_decide

    # given two visits waiting for review with their records
    reviewer = two_branches["reviewer"]
    approved = file_visit(visits_a[0], notes="新增员工两名", outcome=VisitStatus.SUBMITTED)
    returned = file_visit(visits_a[1], notes="员工流失严重", outcome=VisitStatus.SUBMITTED)
    # when the reviewer approves one and returns the other
    for visit, decision in ((approved, "approved"), (returned, "returned")):
        review_decide(
            submission=visit.submissions.get(),
            reviewer=reviewer,
            actor=actor_for(reviewer),
            decision=decision,
            comment="" if decision == "approved" else "请补充照片",
        )
    # then only the approved one is in the archive and found by its words
    assert [v.pk for v in archive_search(user=two_branches["officer"], q="员工")] == [approved.pk]
