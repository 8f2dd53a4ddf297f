"""The shipped risk lexicon and warning rules (huifang.risk.lexicon / huifang.risk.rules defaults)."""

from django.db import migrations

# A copy, so that later changes to the defaults in code do not rewrite history.
TERMS = [
    ("停产", "business_decline", "high"),
    ("停工", "business_decline", "medium"),
    ("裁员", "business_decline", "medium"),
    ("倒闭", "business_decline", "high"),
    ("拖欠工资", "repayment_ability", "high"),
    ("欠薪", "repayment_ability", "high"),
    ("资金链断裂", "repayment_ability", "high"),
    ("破产", "repayment_ability", "high"),
    ("违约", "repayment_willingness", "medium"),
    ("逾期", "repayment_ability", "medium"),
    ("诉讼", "legal_risk", "high"),
    ("起诉", "legal_risk", "high"),
    ("被执行", "legal_risk", "high"),
    ("涉诉", "legal_risk", "medium"),
    ("失联", "borrower_missing", "high"),
    ("跑路", "borrower_missing", "high"),
    ("查封", "asset_seizure", "high"),
    ("冻结", "asset_seizure", "high"),
    ("转移资产", "asset_transfer", "high"),
    ("抽逃", "asset_transfer", "high"),
    ("赌博", "fund_misuse", "high"),
    ("挪用", "fund_misuse", "high"),
]

GENERAL = [
    "business_decline",
    "repayment_ability",
    "repayment_willingness",
    "guarantor_risk",
    "collateral_risk",
    "contact_failure",
    "borrower_dissatisfied",
    "other_risk",
    "overdue",
    "partial_payment",
]
RULES = [
    (
        "overdue_partial",
        "逾期1–30天且部分还款",
        "blue",
        {"dpd_min": 1, "dpd_max": 30, "partial_payment": True},
    ),
    (
        "signal_medium",
        "出现中等及以上风险信号",
        "blue",
        {"signals": GENERAL, "min_severity": "medium"},
    ),
    (
        "contact_failed_overdue",
        "三次联系失败且逾期15天以上",
        "yellow",
        {"failed_contacts_min": 3, "dpd_min": 15},
    ),
    ("overdue_31_60", "逾期31–60天", "yellow", {"dpd_min": 31, "dpd_max": 60}),
    (
        "signal_high",
        "经营、还款或担保出现高风险信号",
        "yellow",
        {
            "signals": [
                "business_decline",
                "repayment_ability",
                "repayment_willingness",
                "guarantor_risk",
                "collateral_risk",
            ],
            "min_severity": "high",
        },
    ),
    ("repayment_trend", "还款情况持续恶化", "yellow", {"signals": ["repayment_trend"]}),
    (
        "fund_misuse",
        "资金挪用（高）",
        "orange",
        {"signals": ["fund_misuse"], "min_severity": "high"},
    ),
    ("overdue_61_90", "逾期61–90天", "orange", {"dpd_min": 61, "dpd_max": 90}),
    ("legal_medium", "涉诉", "orange", {"signals": ["legal_risk"], "min_severity": "medium"}),
    (
        "asset_transfer",
        "转移资产或抽逃资金",
        "orange",
        {"signals": ["asset_transfer"], "min_severity": "medium"},
    ),
    (
        "legal_or_seizure",
        "诉讼、被执行、资产查封冻结或借款人失联",
        "red",
        {"signals": ["legal_risk", "asset_seizure", "borrower_missing"], "min_severity": "high"},
    ),
    ("overdue_90_plus", "逾期超过90天", "red", {"dpd_min": 91}),
]


def add_defaults(apps, schema_editor):
    LexiconTerm = apps.get_model("risk", "LexiconTerm")
    WarningRule = apps.get_model("risk", "WarningRule")
    for term, code, severity in TERMS:
        LexiconTerm.objects.get_or_create(term=term, defaults={"code": code, "severity": severity})
    for position, (code, name, level, conditions) in enumerate(RULES, start=1):
        WarningRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "conditions": conditions,
                "position": position * 10,
            },
        )


def remove_defaults(apps, schema_editor):
    apps.get_model("risk", "LexiconTerm").objects.filter(term__in=[t[0] for t in TERMS]).delete()
    apps.get_model("risk", "WarningRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_signals_warnings_rules")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
