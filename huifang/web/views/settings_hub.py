"""设置: one page with the configuration each user may reach, so the menu keeps to daily work."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from huifang.accounts.gate import has_perm

# (permission, URL name, title, what it is for)
ENTRIES = [
    ("api.token", "token_list", _("接口令牌"), _("用于接口调用的个人令牌，可随时作废")),
    ("users.manage", "user_list", _("用户与机构"), _("账号、角色、所属机构")),
    (
        "questionnaire.manage",
        "questionnaire_list",
        _("回访问卷"),
        _("问题、话术、显示条件和风险含义"),
    ),
    ("policy.manage", "policy_list", _("回访策略"), _("按产品、期限和风险等级安排回访")),
    ("calendar.manage", "calendar_entries", _("工作日历"), _("法定节假日、调休和本机构休息日")),
    ("departments.manage", "department_list", _("部门设置"), _("部门成员、负责人和待办队列")),
    ("departments.manage", "webhook_list", _("群机器人"), _("企业微信、钉钉通知和投递记录")),
    ("risk.rules", "risk_rules", _("预警规则"), _("由信号和逾期天数确定预警级别")),
    ("risk.rules", "risk_lexicon", _("风险词库"), _("从回访记录中识别风险的词语和否定词")),
    ("risk.rules", "classification_rules", _("分类规则"), _("五级分类的下限规则")),
]


def settings_hub(request: HttpRequest) -> HttpResponse:
    links = []
    for perm, name, title, text in ENTRIES:
        if not has_perm(request.user, perm):
            continue
        try:
            links.append({"url": reverse(name), "title": title, "text": text})
        except NoReverseMatch:  # a part not installed
            continue
    return render(request, "web/settings_hub.html", {"links": links})
