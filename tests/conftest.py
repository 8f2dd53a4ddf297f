"""Fixtures shared by the cross-cutting tests: two branches, a user of every role, a loan in each."""

from datetime import date
from pathlib import Path

import pytest

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Branch, Role, User
from huifang.audit.services import Actor
from huifang.followups.models import Visit
from huifang.followups.services.planning import plan_followups
from huifang.portfolio.services.imports import import_file
from huifang.questionnaires.models import Questionnaire, QuestionnaireVersion

SAMPLES = Path(__file__).resolve().parent / "samples"
PASSWORD = "Huifang-matrix-2026"
ROLES = [r.value for r in Role]

LOANS_CSV = """借款合同编号,借款人,借款人类型,证件号码,联系电话,贷款产品,贷款金额,年利率,期限(月),放款日期,还款方式,贷款用途,所属机构,担保人,担保人证件号码
A-0001,张伟,个人,110105199003074472,13812345678,个人消费贷,100000,0.0435,12,2025-01-15,等额本息,家庭装修,甲分行,李娜,110105198805061230
B-0001,王芳,个人,310104199308273932,13912345678,个人消费贷,200000,4.35%,24,2025-02-20,等额本金,支付学费,乙分行,,
"""


@pytest.fixture
def two_branches(db):
    """Branch 甲 (A) with a user of every role, branch 乙 (B); loan A-0001 in A, B-0001 in B."""
    report = import_file(
        kind="loans",
        data=LOANS_CSV.encode(),
        filename="matrix.csv",
        user=SYSTEM,
        actor=Actor(user_id=None, name="system", via="command"),
    )
    assert report.applied, [str(e) for e in report.errors]
    branch_a = Branch.objects.get(name="甲分行")
    users = {
        role: User.objects.create_user(
            username=f"{role}_a", password=PASSWORD, role=role, branch=branch_a
        )
        for role in ROLES
    }
    User.objects.create_user(
        username="officer_b",
        password=PASSWORD,
        role=Role.OFFICER,
        branch=Branch.objects.get(name="乙分行"),
    )
    # Follow-up visits for both loans, assigned to nobody (no officer named in the file).
    plan_followups(as_of=date(2025, 1, 1), actor=Actor(user_id=None, name="system", via="command"))
    return users


TINY = {
    "sections": [
        {
            "key": "funds",
            "title": "资金用途",
            "questions": [
                {
                    "key": "funds_ok",
                    "type": "yes_no",
                    "label": "资金是否按合同用途使用？",
                    "script": "请问贷款主要用在哪里？",
                    "required": True,
                    "risks": [
                        {
                            "when": {"equals": False},
                            "signal": "fund_misuse",
                            "severity": "high",
                            "label": "资金未按合同约定用途使用",
                        }
                    ],
                },
                {
                    "key": "actual_use",
                    "type": "text",
                    "label": "实际用途",
                    "required": True,
                    "show_if": {"question": "funds_ok", "equals": False},
                },
                {
                    "key": "score",
                    "type": "rating",
                    "label": "满意度",
                    "required": False,
                    "risks": [
                        {
                            "when": {"lte": 2},
                            "signal": "borrower_dissatisfied",
                            "severity": "low",
                            "label": "客户不满意",
                        }
                    ],
                },
            ],
        }
    ]
}


@pytest.fixture
def tiny_questionnaires(db):
    """Only our questionnaires are active: one for officers, one for the online channel."""
    Questionnaire.objects.update(is_active=False)
    made = {}
    for code, channels in (("test-officer", []), ("test-online", ["online"])):
        q = Questionnaire.objects.create(
            code=code, name=f"测试问卷 {code}", subject_roles=["borrower"], channels=channels
        )
        made[code] = QuestionnaireVersion.objects.create(questionnaire=q, number=1, definition=TINY)
    return made


@pytest.fixture
def work(two_branches, tiny_questionnaires):
    """two_branches plus: officer_a2 and reviewer_a2 in branch A, and A-0001's first borrower
    visit assigned to officer_a."""
    officer = two_branches[Role.OFFICER]
    branch = officer.branch
    extra = {
        "officer_a2": User.objects.create_user(
            username="officer_a2", password="x-Pass-2026", role=Role.OFFICER, branch=branch
        ),
        "reviewer_a2": User.objects.create_user(
            username="reviewer_a2", password="x-Pass-2026", role=Role.REVIEWER, branch=branch
        ),
    }
    visit = (
        Visit.objects.filter(loan__loan_no="A-0001", subject_role="borrower")
        .order_by("due_date")
        .first()
    )
    visit.assignee = officer
    visit.save(update_fields=["assignee"])
    return {**two_branches, **extra, "visit": visit, "questionnaires": tiny_questionnaires}
