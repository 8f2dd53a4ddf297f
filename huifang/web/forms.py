"""The forms of the web pages: they check what a person typed, the services decide the rest."""

from decimal import Decimal
from pathlib import PurePath
from typing import cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huifang.accounts.models import Branch, Role, User
from huifang.followups.models.visits import VisitChannel, VisitKind
from huifang.portfolio.models import (
    ImportBatch,
    Loan,
    LoanStatus,
    RepaymentMethod,
    RiskLevel,
)
from huifang.portfolio.services.repayments import before_restructuring

ANY = [("", _("全部"))]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("请输入有效的日期，格式为 YYYY-MM-DD")}
IMPORT_SUFFIXES = (".csv", ".xlsx", ".txt")
MAX_IMPORT_BYTES = 50 * 1024 * 1024


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def user_label(display_name: str, username: str) -> str:
    return f"{display_name}（{username}）" if display_name else username


class LoanFilterForm(forms.Form):
    """Search and filters of the loan list; the choices come from the loans the user can see."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("合同编号、借款人姓名，或完整的证件号码/手机号"),
                "type": "search",
            }
        ),
    )
    branch = forms.TypedChoiceField(label=_("机构"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + LoanStatus.choices)
    product = forms.ChoiceField(label=_("产品"), required=False)
    method = forms.ChoiceField(
        label=_("还款方式"), required=False, choices=ANY + RepaymentMethod.choices
    )
    risk = forms.ChoiceField(label=_("风险等级"), required=False, choices=ANY + RiskLevel.choices)
    officer = forms.TypedChoiceField(
        label=_("客户经理"), required=False, coerce=int, empty_value=None
    )
    overdue = forms.BooleanField(label=_("仅逾期"), required=False)

    def __init__(self, *args, visible: QuerySet[Loan], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        loan_branches = visible.order_by().values("branch_id")
        choice_field(self, "branch").choices = ANY + list(
            Branch.objects.filter(pk__in=loan_branches).values_list("pk", "name")
        )
        products = visible.order_by().values_list("product", flat=True).distinct()
        choice_field(self, "product").choices = ANY + [(p, p) for p in sorted(products)]
        officers = (
            User.objects.filter(pk__in=visible.order_by().values("officer_id"))
            .order_by("display_name", "username")
            .values_list("pk", "display_name", "username")
        )
        choice_field(self, "officer").choices = ANY + [
            (pk, user_label(name, username)) for pk, name, username in officers
        ]

    def search_args(self) -> dict:
        """The cleaned values as portfolio.selectors.loan_search takes them."""
        self.is_valid()  # a bad value is shown at its field; the others still filter
        data = self.cleaned_data
        return {
            "q": data.get("q", ""),
            "branch": data.get("branch"),
            "status": data.get("status", ""),
            "product": data.get("product", ""),
            "method": data.get("method", ""),
            "risk": data.get("risk", ""),
            "officer": data.get("officer"),
            "overdue": data.get("overdue", False),
        }


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return user_label(obj.display_name, obj.username)


class LoanEditForm(forms.Form):
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices)
    officer = OfficerChoiceField(
        label=_("客户经理"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("（未分配）"),
    )
    purpose = forms.CharField(
        label=_("贷款用途"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("贷款用途不能为空")},
    )

    def __init__(self, *args, loan: Loan, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {"risk_level": loan.risk_level, "officer": loan.officer_id, "purpose": loan.purpose},
        )
        super().__init__(*args, **kwargs)
        self.loan = loan
        # The current officer stays selectable even when no longer eligible, so that changing
        # the risk level alone does not unassign the loan; the service rejects a new bad choice.
        eligible = Q(is_active=True, role=Role.OFFICER, branch_id=loan.branch_id)
        if loan.officer_id:
            eligible |= Q(pk=loan.officer_id)
        field = cast(forms.ModelChoiceField, self.fields["officer"])
        field.queryset = User.objects.filter(eligible).order_by("display_name", "username")

    def changes(self) -> dict:
        """Only what the user changed, as loan_update takes it."""
        data = self.cleaned_data
        values: dict = {}
        if data["risk_level"] != self.loan.risk_level:
            values["risk_level"] = data["risk_level"]
        officer = data.get("officer")
        if (officer.pk if officer else None) != self.loan.officer_id:
            values["officer"] = officer
        if data["purpose"].strip() != self.loan.purpose:
            values["purpose"] = data["purpose"]
        return values


class RepaymentForm(forms.Form):
    paid_date = forms.DateField(label=_("还款日期"), widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    amount = forms.DecimalField(
        label=_("还款金额（元）"),
        max_digits=18,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        error_messages={"invalid": _("请输入金额，例如 12345.67")},
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, loan: Loan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.loan = loan

    def clean_paid_date(self):
        paid_date = self.cleaned_data["paid_date"]
        if paid_date < self.loan.disbursement_date:
            raise forms.ValidationError(
                _("还款日期不能早于放款日期 %(date)s"),
                params={"date": self.loan.disbursement_date.isoformat()},
            )
        if paid_date > timezone.localdate():
            raise forms.ValidationError(_("还款日期不能晚于今天"))
        problem = before_restructuring(self.loan, paid_date)
        if problem:
            raise forms.ValidationError(problem)
        return paid_date

    def clean_amount(self):
        amount: Decimal = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("还款金额必须大于 0"))
        if amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("还款金额最多两位小数"))
        return amount.quantize(Decimal("0.01"))

    def clean(self):
        data = super().clean()
        if self.loan.status in (LoanStatus.CANCELLED, LoanStatus.WRITTEN_OFF):
            raise forms.ValidationError(
                _("贷款状态为“%(status)s”，不能登记还款"),
                params={"status": self.loan.get_status_display()},
            )
        return data


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("导入类型"),
        choices=ImportBatch.Kind.choices,
        initial=ImportBatch.Kind.LOANS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_("CSV（UTF-8 或 GB18030 编码）或 Excel（.xlsx），第一行为表头。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
        error_messages={"required": _("请选择要导入的文件"), "empty": _("文件为空")},
    )
    partial = forms.BooleanField(
        label=_("部分导入"),
        required=False,
        help_text=_(
            "勾选后，只导入校验通过的行，其余有错误的行列入报告、不导入；不勾选时，文件中只要有一处错误，整个文件都不导入。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in IMPORT_SUFFIXES:
            raise forms.ValidationError(_("只支持 CSV 或 XLSX 文件"))
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("文件不能超过 50 MB"))
        return upload


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("动作"), required=False)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )

    def __init__(self, *args, actions: list[str], object_types: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "action").choices = ANY + [(a, a) for a in actions]
        choice_field(self, "object_type").choices = ANY + [(t, t) for t in object_types if t]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("令牌名称"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("例如：核心系统对接")}),
        error_messages={"required": _("请填写令牌名称，便于日后识别")},
    )


UNASSIGNED = "none"  # the assignee filter's value for visits nobody holds


class VisitFilterForm(forms.Form):
    """Channel and kind: the filters of 我的回访, applied to all three of its lists."""

    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=ANY + VisitChannel.choices)
    kind = forms.ChoiceField(label=_("回访类型"), required=False, choices=ANY + VisitKind.choices)

    def filter(self, visits: QuerySet) -> QuerySet:
        self.is_valid()  # a bad value is shown at its field; the others still filter
        data = self.cleaned_data
        if data.get("channel"):
            visits = visits.filter(channel=data["channel"])
        if data.get("kind"):
            visits = visits.filter(kind=data["kind"])
        return visits


class BranchVisitFilterForm(VisitFilterForm):
    """The filters of the branch's open visits; branch and officer choices come from the scope."""

    branch = forms.TypedChoiceField(label=_("机构"), required=False, coerce=int, empty_value=None)
    assignee = forms.ChoiceField(label=_("负责人"), required=False)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    field_order = ["branch", "assignee", "date_from", "date_to", "kind", "channel"]

    def __init__(self, *args, branches: list[Branch], officers: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "branch").choices = ANY + [(b.pk, b.name) for b in branches]
        several = len(branches) > 1
        choice_field(self, "assignee").choices = [
            *ANY,
            (UNASSIGNED, _("未分配")),
            *(
                (
                    str(u.pk),
                    user_label(u.display_name, u.username)
                    + (f" · {u.branch.name}" if several and u.branch else ""),
                )
                for u in officers
            ),
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data

    def filter(self, visits: QuerySet) -> QuerySet:
        visits = super().filter(visits)
        data = self.cleaned_data
        if data.get("branch"):
            visits = visits.filter(branch_id=data["branch"])
        if data.get("assignee") == UNASSIGNED:
            visits = visits.filter(assignee__isnull=True)
        elif data.get("assignee"):
            visits = visits.filter(assignee_id=int(data["assignee"]))
        if data.get("date_from"):
            visits = visits.filter(due_date__gte=data["date_from"])
        if data.get("date_to"):
            visits = visits.filter(due_date__lte=data["date_to"])
        return visits


class VisitAssignForm(forms.Form):
    """Who should do a visit: any user by id here; visit_assign decides who is eligible."""

    assignee = forms.ModelChoiceField(
        label=_("负责人"),
        queryset=User.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("所选人员不存在")},
    )


class CalendarEntryForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    working = forms.TypedChoiceField(
        label=_("这一天是"),
        choices=[("0", _("休息日")), ("1", _("工作日"))],
        coerce=lambda value: value == "1",
        initial="0",
        widget=forms.RadioSelect,
    )
    notice = forms.BooleanField(
        label=_("国务院通知"),
        required=False,
        help_text=_(
            "勾选表示该条目抄录自国务院办公厅的放假安排通知。某一年度录入了通知中的日期后，该年度不再是暂定。"
        ),
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("例如：春节调休上班、本机构年会")}),
    )
