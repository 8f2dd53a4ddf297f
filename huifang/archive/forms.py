"""The archive's search form: what a person typed, checked; archive_search does the rest."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from huifang.accounts.models import Branch
from huifang.followups.models import VisitKind

ANY = [("", _("全部"))]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ArchiveSearchForm(forms.Form):
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("关键词最多 %(limit_value)d 个字")},
        widget=forms.TextInput(
            attrs={"placeholder": _("例如：停产、员工、装修"), "type": "search"}
        ),
    )
    loan_no = forms.CharField(label=_("合同编号"), required=False, max_length=64)
    borrower = forms.CharField(label=_("借款人"), required=False, max_length=100)
    branch = forms.TypedChoiceField(
        label=_("机构"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("机构：请从列表中选择")},
    )
    kind = forms.ChoiceField(
        label=_("回访类型"),
        required=False,
        choices=ANY + VisitKind.choices,
        error_messages={"invalid_choice": _("回访类型：请从列表中选择")},
    )
    date_from = forms.DateField(
        label=_("回访日期从"),
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": _("开始日期不是有效的日期，格式为 YYYY-MM-DD")},
    )
    date_to = forms.DateField(
        label=_("至"),
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": _("结束日期不是有效的日期，格式为 YYYY-MM-DD")},
    )

    def __init__(self, *args, branches: list[Branch], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["branch"])
        field.choices = ANY + [(b.pk, b.name) for b in branches]

    def clean(self) -> dict[str, Any]:
        super().clean()
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("结束日期不能早于开始日期"))
        return self.cleaned_data

    def search_args(self) -> dict:
        """The cleaned values as archive_search takes them; a bad field is left out (and shown)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "loan_no": data.get("loan_no") or "",
            "borrower": data.get("borrower") or "",
            "branch_id": data.get("branch"),
            "kind": data.get("kind") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
