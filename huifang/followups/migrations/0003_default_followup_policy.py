"""The default follow-up policy (followup-policy.md) as version 1 of the policy for all products.

The data is written out here, not imported from followups.policy, so that this migration
creates the same row whatever the code later becomes; a test checks that it equals
DEFAULT_POLICY.
"""

from django.db import migrations

# followup-policy.md, "Borrower visits": the periodic step in months by (term class, risk level).
STEPS = [
    ("short", "low", None),
    ("short", "medium", None),
    ("short", "high", 1),
    ("long", "low", 6),
    ("long", "medium", 3),
    ("long", "high", 1),
]


def _candidate(kind, role, anchor, order, offset=None, step=None):
    return {
        "kind": kind,
        "subject_role": role,
        "anchor": anchor,
        "offset_days": offset,
        "step_months": step,
        "order": order,
    }


def _channel_rule(channel, kind=None, role=None, borrower_type=None, risk_level=None):
    return {
        "channel": channel,
        "kind": kind,
        "subject_role": role,
        "borrower_type": borrower_type,
        "risk_level": risk_level,
    }


def default_policy_data():
    common = [
        _candidate("first", "borrower", "disbursement", 1, offset=30),
        _candidate("pre_maturity", "borrower", "maturity", 2, offset=-30),
        _candidate("d90", "borrower", "disbursement", 3, offset=90),
        _candidate("pre_maturity", "guarantor", "maturity", 1, offset=-30),
        _candidate("d90", "guarantor", "disbursement", 2, offset=90),
    ]
    rules = []
    for term_class, risk_level, step in STEPS:
        periodic = (
            [_candidate("periodic", "borrower", "disbursement", 4, step=step)] if step else []
        )
        rules.append(
            {"term_class": term_class, "risk_level": risk_level, "candidates": common + periodic}
        )
    return {
        "rules": rules,
        # followup-policy.md, "Channel defaults".
        "channel_rules": [
            _channel_rule("onsite", "first", "borrower", "enterprise"),
            _channel_rule("phone", "first", "borrower", "individual"),
            _channel_rule("online", "periodic", "borrower", "individual", "low"),
        ],
        "default_channel": "phone",
        "short_term_max_months": 12,
        "collision_days": 15,
        "default_risk_level": "medium",
    }


def create_default_policy(apps, schema_editor):
    FollowupPolicy = apps.get_model("followups", "FollowupPolicy")
    PolicyVersion = apps.get_model("followups", "PolicyVersion")
    policy = FollowupPolicy.objects.create(name="默认回访策略", product="")
    PolicyVersion.objects.create(
        policy=policy,
        number=1,
        rules=default_policy_data(),
        note="系统默认策略（followup-policy.md）",
        active=True,
    )


def delete_default_policy(apps, schema_editor):
    FollowupPolicy = apps.get_model("followups", "FollowupPolicy")
    # Its versions go with it (CASCADE).
    FollowupPolicy.objects.filter(product="").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0002_followup_policies"),
    ]

    operations = [
        migrations.RunPython(create_default_policy, delete_default_policy),
    ]
