"""Demo visit work: some past visits carried out and reviewed, through the real services.

So that a new user of `huifang demo` finds approved visits in the archive, records
waiting in the review queue and a returned one in an officer's list.
"""

import random
from datetime import date, datetime, time

from django.utils import timezone

from huifang.accounts.models import Role, User
from huifang.audit.services import actor_for
from huifang.followups.models import Visit, VisitStatus
from huifang.followups.services.recording import RecordInput, record_save
from huifang.questionnaires import schema
from huifang.reviews.services import review_decide, visit_submit

NOTES = [
    "借款人经营的面馆生意稳定，午市客流较多，新增两名员工，资金用于购置厨房设备，与合同约定一致。",
    "现场查看门店，货架商品充足，店主称近三个月营业额略有上升，还款意愿良好。",
    "电话联系借款人本人，确认贷款用于店面装修，已完工并正常营业，暂无其他负债。",
    "借款人称受淡季影响订单减少，营业额较上季度下降约两成，但表示会按时还款。",
    "借款人承认部分资金用于购买私家车，与合同约定的经营用途不符，已提醒其整改。",
    "工厂仍在生产，但有两条生产线停工，员工由三十人减少到二十人，需持续关注。",
    "担保人表示近期收入稳定，仍愿意继续承担担保责任。",
    "抵押房产状况良好，无查封、出租变化，管理人配合检查。",
]


def _answers_for(definition: dict, rng: random.Random, misuse: bool) -> dict:
    """Plausible answers to every required question that is shown."""
    answers: dict = {}
    for _round in range(3):  # conditions may reveal further required questions
        visible = schema.visible_keys(definition, answers)
        for q in schema.iter_questions(definition):
            key = q["key"]
            if key not in visible or key in answers or q["type"] == "photo":
                continue
            kind = q["type"]
            if kind == "yes_no":
                answers[key] = not (
                    misuse and any(r.get("signal") == "fund_misuse" for r in q.get("risks", []))
                )
            elif kind == "single":
                answers[key] = q["options"][0]["value"]
            elif kind == "multiple":
                answers[key] = [q["options"][0]["value"]]
            elif kind in ("number", "money"):
                answers[key] = str(q.get("min") or rng.randint(1, 20) * 1000)
            elif kind == "date":
                answers[key] = timezone.localdate().isoformat()
            elif kind == "rating":
                answers[key] = rng.randint(3, 5)
            elif kind == "nps":
                answers[key] = rng.randint(6, 10)
            elif kind == "text":
                answers[key] = "经营用途" if not misuse else "购买私家车"
    cleaned, _errors = schema.clean_answers(definition, answers, complete=False)
    return cleaned


def load_visit_work(*, today: date, seed: int = 2027, limit: int = 40) -> int:
    """Carry out up to `limit` past borrower visits; returns how many were submitted."""
    rng = random.Random(seed)
    reviewers = {
        u.branch_id: u for u in User.objects.filter(role=Role.REVIEWER, branch__isnull=False)
    }
    visits = list(
        Visit.objects.filter(
            status=VisitStatus.PLANNED,
            subject_role="borrower",
            due_date__lt=today,
            assignee__isnull=False,
            channel__in=["phone", "onsite"],
        )
        .select_related("loan", "assignee")
        .order_by("due_date", "pk")[:limit]
    )
    done = 0
    for i, visit in enumerate(visits):
        officer = visit.assignee
        reviewer = reviewers.get(visit.branch_id)
        if officer is None or reviewer is None:
            continue
        misuse = i % 9 == 4
        note = NOTES[4] if misuse else NOTES[i % len(NOTES)]
        when = timezone.make_aware(datetime.combine(visit.due_date, time(10, 30)))
        rec = record_save(
            visit=visit,
            user=officer,
            actor=actor_for(officer, via="command"),
            data=RecordInput(revision=0, notes=note, occurred_at=when),
        )
        definition = rec.questionnaire.definition
        rec = record_save(
            visit=visit,
            user=officer,
            actor=actor_for(officer, via="command"),
            data=RecordInput(revision=rec.revision, answers=_answers_for(definition, rng, misuse)),
        )
        submission = visit_submit(
            visit=visit,
            user=officer,
            actor=actor_for(officer, via="command"),
            revision=rec.revision,
        )
        done += 1
        share = i % 5
        if share == 0:
            continue  # left waiting in the review queue
        decision = "returned" if share == 1 else "approved"
        review_decide(
            submission=submission,
            reviewer=reviewer,
            actor=actor_for(reviewer, via="command"),
            decision=decision,
            comment="请补充现场照片并写明员工人数" if decision == "returned" else "",
        )
    return done
