"""Signal codes, severities, sources and warning levels: the vocabulary of the risk app.

The questionnaire's signals (questionnaires/schema.py SIGNALS) are all signal
codes here too, so a finding of a reviewed answer becomes a signal as it is;
the lexicon and repayment behaviour add a few of their own.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignalCode(models.TextChoices):
    FUND_MISUSE = "fund_misuse", _("资金挪用")
    BUSINESS_DECLINE = "business_decline", _("经营下滑")
    REPAYMENT_ABILITY = "repayment_ability", _("还款能力下降")
    REPAYMENT_WILLINGNESS = "repayment_willingness", _("还款意愿不足")
    GUARANTOR_RISK = "guarantor_risk", _("担保人风险")
    COLLATERAL_RISK = "collateral_risk", _("抵押物风险")
    CONTACT_FAILURE = "contact_failure", _("联系失败")
    BORROWER_DISSATISFIED = "borrower_dissatisfied", _("客户不满意")
    OTHER_RISK = "other_risk", _("其他风险")
    # Raised by the lexicon over officers' notes.
    LEGAL_RISK = "legal_risk", _("涉诉/被执行")
    ASSET_SEIZURE = "asset_seizure", _("资产被查封/冻结")
    ASSET_TRANSFER = "asset_transfer", _("转移资产/抽逃")
    BORROWER_MISSING = "borrower_missing", _("借款人失联/跑路")
    # Raised from repayment behaviour.
    OVERDUE = "overdue", _("逾期")
    PARTIAL_PAYMENT = "partial_payment", _("部分还款")
    REPAYMENT_TREND = "repayment_trend", _("还款情况持续恶化")


class Severity(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}


class SignalSource(models.TextChoices):
    ANSWER = "answer", _("问卷回答")
    NOTE = "note", _("回访记录")
    REPAYMENT = "repayment", _("还款行为")
    CONTACT = "contact", _("联系结果")
    GUARANTOR = "guarantor", _("担保人")
    COLLATERAL = "collateral", _("抵押物")
    MANUAL = "manual", _("人工登记")


class Level(models.TextChoices):
    BLUE = "blue", _("蓝色预警")
    YELLOW = "yellow", _("黄色预警")
    ORANGE = "orange", _("橙色预警")
    RED = "red", _("红色预警")


LEVEL_RANK = {"blue": 1, "yellow": 2, "orange": 3, "red": 4}
LEVELS = ("blue", "yellow", "orange", "red")
