"""The policy editor's forms: they check what an admin typed; the services decide the rest."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huifang.followups.models import VisitChannel
from huifang.followups.policy import (
    BORROWER,
    D90,
    DISBURSEMENT,
    FIRST,
    MATURITY,
    PERIODIC,
    PRE_MATURITY,
    Policy,
)
from huifang.followups.policy_data import RISK_LEVELS, TERM_CLASSES, policy_to_data
from huifang.followups.services.policy_validation import (
    COLLISION_DAYS,
    OFFSET_DAYS,
    STEP_MONTHS,
    TERM_CLASS_LABELS,
    channel_rule_label,
    rule_label,
)

# The dated candidates the editor changes: kind -> (anchor, sign of the offset as typed).
# "到期前回访" is typed as days before maturity and stored as a negative offset.
OFFSET_KINDS = {FIRST: (DISBURSEMENT, 1), D90: (DISBURSEMENT, 1), PRE_MATURITY: (MATURITY, -1)}


def _step_name(term_class: str, risk_level: str) -> str:
    return f"step_{term_class}_{risk_level}"


class PolicyEditForm(forms.Form):
    """The parts of a policy an admin changes in the browser; everything else is kept as it is."""

    first_days = forms.IntegerField(
        label=_("首次回访：放款后天数"), min_value=OFFSET_DAYS[0], max_value=OFFSET_DAYS[1]
    )
    d90_days = forms.IntegerField(
        label=_("放款后90天回访：放款后天数"), min_value=OFFSET_DAYS[0], max_value=OFFSET_DAYS[1]
    )
    pre_maturity_days = forms.IntegerField(
        label=_("到期前回访：到期前天数"), min_value=OFFSET_DAYS[0], max_value=OFFSET_DAYS[1]
    )
    collision_days = forms.IntegerField(
        label=_("冲突窗口（天）"),
        min_value=COLLISION_DAYS[0],
        max_value=COLLISION_DAYS[1],
        help_text=_("同一回访对象的两次回访相隔少于这个天数时，后选的一次不安排。"),
    )
    default_channel = forms.ChoiceField(label=_("其他回访的渠道"), choices=VisitChannel.choices)
    note = forms.CharField(label=_("修改说明"), required=False, max_length=200)
    loan_no = forms.CharField(
        label=_("借款合同编号"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("输入合同编号，预览该笔贷款的回访")}),
    )

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        self.policy = policy
        kwargs.setdefault("initial", self._initial(policy))
        super().__init__(*args, **kwargs)
        for term_class in TERM_CLASSES:
            for risk_level in RISK_LEVELS:
                self.fields[_step_name(term_class, risk_level)] = forms.IntegerField(
                    label=rule_label(term_class, risk_level),
                    required=False,
                    min_value=STEP_MONTHS[0],
                    max_value=STEP_MONTHS[1],
                    widget=forms.NumberInput(attrs={"placeholder": _("不设")}),
                )
        for i, rule in enumerate(policy.channel_rules):
            self.fields[f"channel_{i}"] = forms.ChoiceField(
                label=channel_rule_label(rule), choices=VisitChannel.choices
            )
        self.mixed_offsets = self._mixed_offsets(policy)

    def step_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The periodic step fields as rows of a term class × risk level table."""
        return [
            (
                str(TERM_CLASS_LABELS[term_class]),
                [self[_step_name(term_class, risk_level)] for risk_level in RISK_LEVELS],
            )
            for term_class in TERM_CLASSES
        ]

    def channel_fields(self) -> list[forms.BoundField]:
        return [self[f"channel_{i}"] for i in range(len(self.policy.channel_rules))]

    @staticmethod
    def _initial(policy: Policy) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "collision_days": policy.collision_days,
            "default_channel": policy.default_channel,
        }
        for rule in policy.rules:
            initial[_step_name(rule.term_class, rule.risk_level)] = rule.periodic_step()
            for c in rule.candidates:
                expected = OFFSET_KINDS.get(c.kind)
                if expected and c.anchor == expected[0] and c.offset_days is not None:
                    initial.setdefault(f"{c.kind}_days", c.offset_days * expected[1])
        for i, channel_rule in enumerate(policy.channel_rules):
            initial[f"channel_{i}"] = channel_rule.channel
        return initial

    @staticmethod
    def _mixed_offsets(policy: Policy) -> bool:
        """Whether the rules disagree on an offset (an API edit): saving here makes them one."""
        seen: dict[str, set[int]] = {}
        for rule in policy.rules:
            for c in rule.candidates:
                if c.kind in OFFSET_KINDS and c.offset_days is not None:
                    seen.setdefault(c.kind, set()).add(c.offset_days)
        return any(len(values) > 1 for values in seen.values())

    def policy_data(self) -> dict[str, Any]:
        """The edited policy in policy_data's format: the form's values over `self.policy`."""
        cleaned = self.cleaned_data
        data = policy_to_data(self.policy)
        for rule in data["rules"]:
            candidates = rule["candidates"]
            for c in candidates:
                expected = OFFSET_KINDS.get(c["kind"])
                if expected and c["anchor"] == expected[0] and c["offset_days"] is not None:
                    c["offset_days"] = cleaned[f"{c['kind']}_days"] * expected[1]
            step = cleaned[_step_name(rule["term_class"], rule["risk_level"])]
            periodic = [
                c for c in candidates if c["kind"] == PERIODIC and c["subject_role"] == BORROWER
            ]
            if step is None:
                rule["candidates"] = [c for c in candidates if c not in periodic]
            elif periodic:
                for c in periodic:
                    c["step_months"] = step
            else:
                last = max(
                    (c["order"] for c in candidates if c["subject_role"] == BORROWER), default=0
                )
                candidates.append(
                    {
                        "kind": PERIODIC,
                        "subject_role": BORROWER,
                        "anchor": DISBURSEMENT,
                        "offset_days": None,
                        "step_months": step,
                        "order": last + 1,
                    }
                )
        data["collision_days"] = cleaned["collision_days"]
        data["default_channel"] = cleaned["default_channel"]
        for i, channel_rule in enumerate(data["channel_rules"]):
            channel_rule["channel"] = cleaned[f"channel_{i}"]
        return data


class PolicyNewForm(forms.Form):
    product = forms.CharField(
        label=_("贷款产品"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "products", "autocomplete": "off"}),
        help_text=_("该产品的贷款将按新策略制定回访计划；新策略先复制默认策略的当前版本。"),
    )
    name = forms.CharField(
        label=_("策略名称"),
        required=False,
        max_length=100,
        help_text=_("留空则为“产品名称 + 回访策略”。"),
    )
