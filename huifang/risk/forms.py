"""Forms of the risk pages: they check what a person typed; the services decide the rest."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huifang.accounts.models import Role, User
from huifang.risk.codes import Level, Severity, SignalCode
from huifang.risk.models import ResponseKind, WarningStatus

ANY = [("", _("全部"))]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("请输入有效的日期，格式为 YYYY-MM-DD")}
STATUS_CHOICES = [("open", _("未结束")), *WarningStatus.choices]


class WarningFilterForm(forms.Form):
    level = forms.ChoiceField(label=_("预警级别"), required=False, choices=ANY + Level.choices)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + STATUS_CHOICES)
    branch = forms.TypedChoiceField(label=_("机构"), required=False, coerce=int, empty_value=None)
    owner = forms.TypedChoiceField(label=_("负责人"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("合同编号或借款人"), required=False, max_length=100)

    def __init__(self, *args: Any, branches: Any = None, owners: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = ANY + [(b.pk, b.name) for b in branches or []]  # type: ignore[attr-defined]
        self.fields["owner"].choices = ANY + [(u.pk, str(u)) for u in owners or []]  # type: ignore[attr-defined]


class SignalForm(forms.Form):
    loan = forms.CharField(label=_("借款合同编号"), max_length=64)
    code = forms.ChoiceField(label=_("预警信号"), choices=SignalCode.choices)
    severity = forms.ChoiceField(
        label=_("严重程度"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    evidence = forms.CharField(
        label=_("依据"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("看到了什么、在哪里、何时；将记入审计日志。"),
    )


class AcknowledgeForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("负责人"), coerce=int)
    deadline = forms.DateField(label=_("处置期限"), widget=DATE_WIDGET, error_messages=DATE_ERRORS)

    def __init__(self, *args: Any, loan: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(
            is_active=True, role__in=[Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER]
        ).order_by("role", "username")
        if loan is not None:
            people = people.filter(role=Role.RISK_MANAGER) | people.filter(branch_id=loan.branch_id)
        self.fields["owner"].choices = [(u.pk, f"{u}（{u.get_role_display()}）") for u in people]  # type: ignore[attr-defined]

    def clean_owner(self) -> User:
        return User.objects.get(pk=self.cleaned_data["owner"])


class RespondForm(forms.Form):
    kind = forms.ChoiceField(label=_("处置措施"), choices=ResponseKind.choices)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LiftForm(forms.Form):
    reason = forms.CharField(
        label=_("解除原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class EscalateForm(forms.Form):
    level = forms.ChoiceField(label=_("升级到"), choices=Level.choices)
    reason = forms.CharField(
        label=_("升级原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LexiconTermForm(forms.Form):
    term = forms.CharField(label=_("风险词"), max_length=30)
    code = forms.ChoiceField(label=_("预警信号"), choices=SignalCode.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class PreviewForm(forms.Form):
    text = forms.CharField(
        label=_("示例文字"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("例如：企业未停产，但已拖欠工资两个月")}
        ),
    )
    dpd = forms.IntegerField(label=_("逾期天数"), required=False, min_value=0, max_value=10000)
    failed_contacts = forms.IntegerField(
        label=_("联系失败次数"), required=False, min_value=0, max_value=100
    )
    partial_payment = forms.BooleanField(label=_("部分还款"), required=False)


class RuleForm(forms.Form):
    code = forms.SlugField(label=_("规则代码"), max_length=40)
    name = forms.CharField(label=_("规则名称"), max_length=100)
    level = forms.ChoiceField(label=_("预警级别"), choices=Level.choices)
    conditions = forms.CharField(
        label=_("条件（JSON）"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono"}),
        help_text=_(
            "可用条件：signals（信号代码列表）、min_severity、min_count、dpd_min、dpd_max、"
            "failed_contacts_min、partial_payment。所有条件同时满足时触发。"
        ),
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def clean_conditions(self) -> Any:
        try:
            return json.loads(self.cleaned_data["conditions"])
        except ValueError as exc:
            raise forms.ValidationError(
                _("条件不是有效的 JSON（第 %(line)s 行）：%(msg)s")
                % {"line": getattr(exc, "lineno", "?"), "msg": getattr(exc, "msg", str(exc))}
            ) from exc
