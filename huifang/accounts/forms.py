"""The user and branch pages' forms: they check what an admin typed; the services decide the rest."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huifang.accounts.models import Branch, Role

ROLE_CHOICES = [("", _("全部角色")), *Role.choices]


def _branch_field(*, required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("所属机构"),
        queryset=Branch.objects.order_by("name"),
        required=required,
        empty_label=_("总部（可查看所有机构）"),
        help_text=_("客户经理必须指定所属机构。"),
    )


class UserFilterForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=ROLE_CHOICES, required=False)
    branch = forms.ModelChoiceField(
        label=_("所属机构"),
        queryset=Branch.objects.order_by("name"),
        required=False,
        empty_label=_("全部机构"),
    )


class _PasswordPair(forms.Form):
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class UserCreateForm(_PasswordPair):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices, initial=Role.OFFICER)
    branch = _branch_field()

    field_order = ["username", "display_name", "email", "role", "branch", "password1", "password2"]


class UserEditForm(forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    branch = _branch_field()
    is_active = forms.BooleanField(
        label=_("启用"), required=False, help_text=_("停用后该用户无法登录，也无法使用接口令牌。")
    )


class PasswordSetForm(_PasswordPair):
    pass


class BranchCreateForm(forms.Form):
    name = forms.CharField(label=_("机构名称"), max_length=100)
    code = forms.CharField(label=_("机构代码"), max_length=32, required=False)
