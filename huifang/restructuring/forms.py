"""The restructuring pages' forms: they check what was typed; the services decide the rest.

The rate is typed as a percentage (4.35 means 4.35 % a year) and becomes the
fraction restructuring.md takes (0.0435).
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huifang.portfolio.models import RepaymentMethod
from huifang.restructuring.models import ProposalStatus
from huifang.restructuring.simulate import Terms

HUNDRED = Decimal(100)
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("请输入有效的日期，格式为 YYYY-MM-DD")}
MONTH_ERRORS = {
    "invalid": _("请输入整数月数"),
    "min_value": _("月数不能为负数"),
    "max_value": _("月数不能超过 %(limit_value)s"),
}
# The fields of one option column; their names are the services' (errors land beside them).
TERM_FIELDS = (
    "extend_months",
    "interest_only_months",
    "new_rate",
    "new_method",
    "capitalise_overdue_interest",
    "target_instalment",
)


def _months(label: Any, help_text: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=999,  # the arithmetic refuses terms past 360 months with its own reason
        error_messages=MONTH_ERRORS,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "0"}),
    )


class OptionForm(forms.Form):
    """One option column: the changes restructuring.md allows, each optional."""

    extend_months = _months(_("展期月数"), _("在现行到期日之后延长的月数。"))
    interest_only_months = _months(
        _("只还息月数（本金宽限期）"), _("生效后先只还利息的月数，之后再还本金。")
    )
    new_rate = forms.DecimalField(
        label=_("新年利率（%）"),
        required=False,
        max_digits=8,
        decimal_places=4,
        error_messages={
            "invalid": _("请输入数字，如 4.35"),
            "max_digits": _("年利率最多 8 位数字"),
            "max_decimal_places": _("年利率最多保留 4 位小数"),
        },
        help_text=_("按百分数填写：4.35 表示年利率 4.35%。留空表示不变。"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    new_method = forms.ChoiceField(
        label=_("新还款方式"),
        required=False,
        choices=[("", _("不变"))] + list(RepaymentMethod.choices),
    )
    target_instalment = forms.DecimalField(
        label=_("目标月供（元）"),
        required=False,
        max_digits=18,
        decimal_places=2,
        error_messages={
            "invalid": _("请输入金额，如 6000"),
            "max_decimal_places": _("金额最多保留 2 位小数"),
        },
        help_text=_("仅等额本息：按不超过此金额推算期限（不能同时指定展期）。"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )

    capitalise_overdue_interest = forms.BooleanField(
        label=_("欠息转本金（否则欠息在首期单独收回，不计息）"), required=False
    )

    def clean_new_rate(self) -> Decimal | None:
        rate = self.cleaned_data.get("new_rate")
        if rate is None:
            return None
        if rate < 0:
            raise forms.ValidationError(_("年利率不能为负数"))
        if rate >= HUNDRED:
            raise forms.ValidationError(_("年利率须小于 100%（按百分数填写，如 4.35）"))
        return rate / HUNDRED  # the fraction restructuring.md takes

    def clean_target_instalment(self) -> Decimal | None:
        target = self.cleaned_data.get("target_instalment")
        if target is not None and target <= 0:
            raise forms.ValidationError(_("目标月供须大于 0"))
        return target

    def blank(self) -> bool:
        """Nothing typed in this column (an optional column is then left out)."""
        return not any(
            str(self.data.get(self.add_prefix(name), "")).strip() not in ("", "0")
            for name in TERM_FIELDS
        )

    def terms(self, effective: date) -> Terms:
        data = self.cleaned_data
        return Terms(
            effective_date=effective,
            extend_months=data.get("extend_months") or 0,
            interest_only_months=data.get("interest_only_months") or 0,
            new_rate=data.get("new_rate"),
            new_method=data.get("new_method") or None,
            capitalise_overdue_interest=bool(data.get("capitalise_overdue_interest")),
            target_instalment=data.get("target_instalment"),
        )


def option_data(terms: Terms, prefix: str | None = None) -> dict[str, str]:
    """An option's terms as the form's fields (to put a suggested option into 我的方案)."""
    values = {
        "extend_months": str(terms.extend_months or ""),
        "interest_only_months": str(terms.interest_only_months or ""),
        "new_rate": "" if terms.new_rate is None else f"{(terms.new_rate * HUNDRED).normalize():f}",
        "new_method": terms.new_method or "",
        "target_instalment": ""
        if terms.target_instalment is None
        else str(terms.target_instalment),
    }
    if terms.capitalise_overdue_interest:
        values["capitalise_overdue_interest"] = "on"
    return {f"{prefix}-{k}" if prefix else k: v for k, v in values.items()}


class ProposalForm(forms.Form):
    """The effective date shared by every option, and what a proposal adds to 我的方案."""

    effective_date = forms.DateField(
        label=_("生效日期"), widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    # Required only to submit (the service says so); a 试算 needs no reason.
    reason = forms.CharField(
        label=_("调整原因"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("借款人的情况、协商经过、还款来源")}
        ),
    )
    financial_difficulty = forms.BooleanField(
        label=_("因借款人财务困难而调整（批准后进入重组观察期）"), required=False, initial=True
    )
    warning = forms.TypedChoiceField(
        label=_("起因预警"), required=False, coerce=int, empty_value=None
    )
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, warnings: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warning"].choices = [("", _("（无）"))] + [  # type: ignore[attr-defined]
            (w.pk, _warning_label(w)) for w in warnings
        ]


def _warning_label(warning: Any) -> str:
    raised = warning.raised_at.strftime("%Y-%m-%d")
    return (
        f"#{warning.pk} {warning.get_level_display()} · {warning.get_status_display()} · {raised}"
    )


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("否决或退回修改时必填。"),
    )
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    comment = forms.CharField(
        label=_("撤回说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)


ALL = "all"
STATUS_TABS = [(s.value, s.label) for s in ProposalStatus] + [(ALL, _("全部"))]


class ProposalFilterForm(forms.Form):
    loan = forms.CharField(label=_("合同编号"), required=False, max_length=64)
    borrower = forms.CharField(label=_("借款人"), required=False, max_length=100)
    proposer = forms.TypedChoiceField(
        label=_("申请人"), required=False, coerce=int, empty_value=None
    )
    effective_from = forms.DateField(
        label=_("生效日 从"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    effective_to = forms.DateField(
        label=_("生效日 至"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    maturity_from = forms.DateField(
        label=_("调整后到期日 从"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    maturity_to = forms.DateField(
        label=_("调整后到期日 至"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )

    def __init__(self, *args: Any, proposers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposer"].choices = [("", _("全部"))] + [  # type: ignore[attr-defined]
            (u.pk, str(u)) for u in proposers
        ]
