"""The group-robot page's forms: they check what an admin typed; the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from huifang.notifications.models import ChannelKind


def _department_field() -> forms.ModelChoiceField:
    from huifang.departments.models import Department

    return forms.ModelChoiceField(
        label=_("部门"),
        queryset=Department.objects.order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=_("全机构（接收所有部门的通知）"),
    )


class ChannelCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ChannelKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    department = _department_field()
    url = forms.CharField(
        label=_("机器人地址（Webhook）"),
        max_length=1000,
        help_text=_("在群设置中添加群机器人后复制的完整地址。保存后只显示末尾几位。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    secret = forms.CharField(
        label=_("签名密钥（仅钉钉）"),
        max_length=200,
        required=False,
        strip=True,
        help_text=_("钉钉机器人安全设置选择“加签”时，填写以 SEC 开头的密钥；加密保存，不再显示。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class ChannelEditForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    department = _department_field()
    url = forms.CharField(
        label=_("新的机器人地址"),
        max_length=1000,
        required=False,
        help_text=_("留空则保留原地址。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    secret = forms.CharField(
        label=_("新的签名密钥（仅钉钉）"),
        max_length=200,
        required=False,
        help_text=_("留空则保留原密钥。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    clear_secret = forms.BooleanField(label=_("清除签名密钥"), required=False)
    active = forms.BooleanField(label=_("启用"), required=False)
