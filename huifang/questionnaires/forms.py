"""The questionnaire editor's form: what the admin typed, kept as typed; the services decide the rest."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huifang.followups.models import SubjectRole, VisitChannel


class QuestionnaireForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    code = forms.CharField(
        label=_("代码"),
        max_length=50,
        help_text=_("小写字母、数字和连字符，如 borrower-standard；创建后不能修改。"),
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    subject_roles = forms.MultipleChoiceField(
        label=_("回访对象"),
        choices=SubjectRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("都不选表示适用于所有回访对象。"),
    )
    channels = forms.MultipleChoiceField(
        label=_("渠道"),
        choices=VisitChannel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("都不选表示适用于所有渠道。"),
    )
    is_active = forms.BooleanField(label=_("启用"), required=False)
    # The builder writes the definition here as JSON; it is also the "edit JSON" fallback.
    definition = forms.CharField(
        label=_("问卷内容（JSON）"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "autocomplete": "off"}),
    )
    note = forms.CharField(label=_("修改说明"), max_length=200, required=False)

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        if not creating:
            self.fields["code"].disabled = True
            self.fields["code"].required = False

    def clean_definition(self) -> dict:
        text = self.cleaned_data["definition"]
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("JSON 格式错误（第 %(line)d 行第 %(col)d 列）：%(msg)s"),
                params={"line": exc.lineno, "col": exc.colno, "msg": exc.msg},
            ) from None
        return data

    def service_fields(self) -> dict:
        """The questionnaire's own fields, as questionnaire_save takes them."""
        names = ["name", "description", "subject_roles", "channels", "is_active"]
        if self.creating:
            names.insert(0, "code")
        return {name: self.cleaned_data[name] for name in names}


def definition_text(definition: Any) -> str:
    return json.dumps(definition, ensure_ascii=False, indent=2)
