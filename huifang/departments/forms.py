"""The departments pages' forms: they check what was typed; the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huifang.departments.models import DepartmentKind, TaskStatus
from huifang.departments.services import eligible_members


class DepartmentCreateForm(forms.Form):
    code = forms.CharField(
        label=_("部门代码"),
        max_length=32,
        help_text=_("小写字母开头，如 legal；创建后不能修改。"),
    )
    name = forms.CharField(label=_("部门名称"), max_length=50)
    kind = forms.ChoiceField(
        label=_("职能"),
        choices=DepartmentKind.choices,
        initial=DepartmentKind.OTHER,
        help_text=_("风险发现按职能分派到部门。"),
    )


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:  # type: ignore[no-untyped-def]
        return f"{obj} ({obj.username} · {obj.get_role_display()})"


class _UsersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:  # type: ignore[no-untyped-def]
        return f"{obj} ({obj.username} · {obj.get_role_display()})"


class DepartmentEditForm(forms.Form):
    name = forms.CharField(label=_("部门名称"), max_length=50)
    kind = forms.ChoiceField(label=_("职能"), choices=DepartmentKind.choices)
    active = forms.BooleanField(
        label=_("启用"), required=False, help_text=_("停用的部门不再接收新的通知。")
    )
    head = _UserChoice(
        label=pgettext_lazy("department head", "负责人"),
        queryset=eligible_members(),
        required=False,
        empty_label=_("（未指定）"),
        help_text=_("负责人自动成为部门成员。"),
    )
    members = _UsersChoice(
        label=_("成员"),
        queryset=eligible_members(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("成员可以查看并处理本部门的待办，并收到本部门的通知。"),
    )


CLOSE_OUTCOMES = [(TaskStatus.DONE.value, _("已完成")), (TaskStatus.CANCELLED.value, _("已取消"))]
