"""The questionnaires Huifang ships: version 1 of five templates an admin then adapts.

The definitions are written out here, not imported from the app, so that this
migration creates the same rows whatever the code later becomes; a test checks
that each passes schema.validate_definition. The same question key keeps the same
meaning in every questionnaire (funds_as_contract, revenue_trend, satisfaction...),
so answers can be compared across channels.
"""

from django.db import migrations

NOTE = "系统预置问卷"


def q(key, kind, label, script="", **extra):
    """A question; empty optional parts are left out."""
    question = {"key": key, "type": kind, "label": label}
    if script:
        question["script"] = script
    question.update({name: value for name, value in extra.items() if value not in (None, "")})
    return question


def options(*pairs):
    return [{"value": value, "label": label} for value, label in pairs]


def risk(when, signal, severity, label):
    return {"when": when, "signal": signal, "severity": severity, "label": label}


def section(key, title, *questions):
    return {"key": key, "title": title, "questions": list(questions)}


TREND = options(("up", "上升"), ("flat", "基本持平"), ("down", "下降"))


def borrower_standard():
    return {
        "sections": [
            section(
                "fund_use",
                "资金用途核实",
                q(
                    "funds_as_contract",
                    "yes_no",
                    "贷款资金是否按合同约定用途使用？",
                    "您好，我是××的客户经理，今天给您做一次贷后回访，大约需要五分钟，感谢您的配合。"
                    "首先想跟您确认一下，这笔贷款目前是按照合同约定的用途在使用吗？",
                    required=True,
                    risks=[
                        risk({"equals": False}, "fund_misuse", "high", "资金未按合同约定用途使用")
                    ],
                ),
                q(
                    "actual_use",
                    "text",
                    "资金的实际用途",
                    "那请问这笔钱实际用在了哪些方面？大概各用了多少？",
                    required=True,
                    show_if={"question": "funds_as_contract", "equals": False},
                ),
                q(
                    "invoices_seen",
                    "yes_no",
                    "是否看到资金使用的发票、收据或付款凭证？",
                    "麻烦您提供一下资金使用的相关凭证，比如采购发票、收据或者转账记录，我们需要留档备查。",
                    help="实地回访请拍照留存；电话回访可请客户通过线上渠道补传。",
                ),
            ),
            section(
                "business",
                "经营情况",
                q(
                    "revenue_trend",
                    "single",
                    "与放款时相比，经营收入的变化",
                    "和借款的时候相比，您这边的经营收入是上升了、基本持平，还是有所下降？",
                    required=True,
                    options=TREND,
                    risks=[risk({"equals": "down"}, "business_decline", "medium", "经营收入下降")],
                ),
                q(
                    "monthly_revenue",
                    "money",
                    "近三个月平均月经营收入（元）",
                    "方便透露一下，近三个月平均每个月的经营收入大概有多少？",
                    min=0,
                ),
                q(
                    "orders",
                    "single",
                    "订单或客户数量与放款时相比",
                    "目前的订单量或者客户数量和之前比怎么样？",
                    options=options(("more", "增加"), ("stable", "基本稳定"), ("fewer", "减少")),
                    risks=[risk({"equals": "fewer"}, "business_decline", "low", "订单减少")],
                ),
                q(
                    "staff_change",
                    "single",
                    "员工人数与放款时相比",
                    "店里（公司里）的员工人数有变化吗？",
                    options=options(("more", "增加"), ("same", "基本不变"), ("fewer", "减少")),
                    risks=[risk({"equals": "fewer"}, "business_decline", "low", "员工人数减少")],
                ),
                q(
                    "premises_normal",
                    "yes_no",
                    "经营场所是否正常经营？",
                    "您的经营场所现在是正常营业吗？有没有搬迁、停业或者转让的情况？",
                    required=True,
                    risks=[
                        risk({"equals": False}, "business_decline", "high", "经营场所未正常经营")
                    ],
                ),
                q(
                    "premises_note",
                    "text",
                    "经营场所的变化情况",
                    "具体是什么情况？搬到了哪里，或者什么时候停业的？",
                    required=True,
                    show_if={"question": "premises_normal", "equals": False},
                ),
            ),
            section(
                "repayment",
                "还款能力与还款意愿",
                q(
                    "income_sufficient",
                    "yes_no",
                    "目前收入是否足以按期偿还每期还款？",
                    "按您现在的收入情况，每期的还款压力大吗？能按时还上吗？",
                    required=True,
                    risks=[
                        risk(
                            {"equals": False},
                            "repayment_ability",
                            "medium",
                            "收入不足以覆盖每期还款",
                        )
                    ],
                ),
                q(
                    "other_debts_grown",
                    "yes_no",
                    "放款后是否新增其他借款或负债？",
                    "借款以后，您有没有在其他银行或机构新借款，或者替别人做担保？",
                    risks=[risk({"equals": True}, "repayment_ability", "low", "其他负债增加")],
                ),
                q(
                    "intends_on_time",
                    "yes_no",
                    "是否愿意按期足额还款？",
                    "后面各期的还款，您都会按时足额还上吧？",
                    required=True,
                    risks=[
                        risk({"equals": False}, "repayment_willingness", "high", "无按期还款意愿")
                    ],
                ),
                q(
                    "difficulty_next_3m",
                    "yes_no",
                    "预计未来三个月还款是否有困难？",
                    "您预计接下来三个月，还款上会不会遇到困难？",
                    required=True,
                    risks=[
                        risk(
                            {"equals": True},
                            "repayment_ability",
                            "medium",
                            "预计未来三个月还款困难",
                        )
                    ],
                ),
                q(
                    "difficulty_reason",
                    "text",
                    "困难的原因和客户的诉求",
                    "方便说一下主要是什么原因吗？我们这边也会帮您看看有没有合适的还款安排。",
                    required=True,
                    show_if={"question": "difficulty_next_3m", "equals": True},
                ),
            ),
            section(
                "guarantee",
                "担保与抵押情况",
                q(
                    "guarantor_status",
                    "single",
                    "担保人情况是否有变化",
                    "为您这笔贷款提供担保的担保人，最近情况怎么样？有没有经营困难、联系不上之类的变化？",
                    options=options(
                        ("unchanged", "无变化"), ("changed", "有变化"), ("none", "无担保人")
                    ),
                    risks=[
                        risk({"equals": "changed"}, "guarantor_risk", "medium", "担保人情况变化")
                    ],
                ),
                q(
                    "guarantor_change",
                    "text",
                    "担保人的变化情况",
                    "具体是什么样的变化？",
                    required=True,
                    show_if={"question": "guarantor_status", "equals": "changed"},
                ),
                q(
                    "collateral_status",
                    "single",
                    "抵押物现状",
                    "抵押物现在情况如何？有没有损坏、被查封或者转让给别人？",
                    options=options(
                        ("normal", "正常"),
                        ("changed", "有变化（损坏、查封、转让等）"),
                        ("unknown", "不清楚"),
                        ("none", "无抵押物"),
                    ),
                    risks=[
                        risk({"equals": "changed"}, "collateral_risk", "high", "抵押物状况变化"),
                        risk(
                            {"equals": "unknown"}, "collateral_risk", "low", "客户不清楚抵押物现状"
                        ),
                    ],
                ),
            ),
            section(
                "onsite",
                "现场核查",
                q(
                    "site_photos",
                    "photo",
                    "现场照片",
                    "麻烦您带我看一下经营场所和库存，我拍几张照片留档。",
                    help="实地回访时拍摄门头、经营场所、库存或设备，在本页附件中上传后勾选。",
                ),
            ),
            section(
                "satisfaction",
                "满意度与建议",
                q(
                    "satisfaction",
                    "rating",
                    "对我们服务的满意度",
                    "想请您给我们的服务打个分：1 分是非常不满意，5 分是非常满意，您打几分？",
                    required=True,
                    risks=[risk({"lte": 2}, "borrower_dissatisfied", "low", "客户对服务不满意")],
                ),
                q(
                    "nps",
                    "nps",
                    "向亲友推荐我们的可能性",
                    "如果亲戚朋友有资金需要，您有多大可能向他们推荐我们？0 分是完全不可能，10 分是非常可能。",
                ),
                q(
                    "suggestions",
                    "text",
                    "意见和建议",
                    "您对我们的服务或者贷款产品还有什么意见和建议吗？"
                    "今天的回访就到这里，感谢您的配合，祝您生意兴隆！",
                ),
            ),
        ]
    }


def borrower_online():
    return {
        "sections": [
            section(
                "fund_use",
                "资金用途",
                q(
                    "funds_as_contract",
                    "yes_no",
                    "您的贷款资金是否按合同约定的用途使用？",
                    required=True,
                    risks=[
                        risk({"equals": False}, "fund_misuse", "high", "资金未按合同约定用途使用")
                    ],
                ),
                q(
                    "actual_use",
                    "text",
                    "请说明资金的实际用途",
                    required=True,
                    show_if={"question": "funds_as_contract", "equals": False},
                ),
            ),
            section(
                "business",
                "经营情况",
                q(
                    "revenue_trend",
                    "single",
                    "与借款时相比，您的经营收入",
                    required=True,
                    options=TREND,
                    risks=[risk({"equals": "down"}, "business_decline", "medium", "经营收入下降")],
                ),
                q(
                    "monthly_revenue",
                    "money",
                    "您近三个月平均每月的经营收入（元）",
                    help="大概的数字即可。",
                    min=0,
                ),
            ),
            section(
                "repayment",
                "还款情况",
                q(
                    "income_sufficient",
                    "yes_no",
                    "您目前的收入是否足以按期偿还每期贷款？",
                    required=True,
                    risks=[
                        risk(
                            {"equals": False},
                            "repayment_ability",
                            "medium",
                            "收入不足以覆盖每期还款",
                        )
                    ],
                ),
                q(
                    "intends_on_time",
                    "yes_no",
                    "您是否会按期足额偿还后续各期贷款？",
                    required=True,
                    risks=[
                        risk({"equals": False}, "repayment_willingness", "high", "无按期还款意愿")
                    ],
                ),
                q(
                    "difficulty_next_3m",
                    "yes_no",
                    "您预计未来三个月还款是否会有困难？",
                    required=True,
                    risks=[
                        risk(
                            {"equals": True},
                            "repayment_ability",
                            "medium",
                            "预计未来三个月还款困难",
                        )
                    ],
                ),
                q(
                    "difficulty_reason",
                    "text",
                    "请简要说明原因，我们的客户经理会与您联系，商量合适的办法",
                    required=True,
                    show_if={"question": "difficulty_next_3m", "equals": True},
                ),
            ),
            section(
                "satisfaction",
                "满意度与建议",
                q(
                    "satisfaction",
                    "rating",
                    "您对我们服务的满意程度",
                    help="1 分为非常不满意，5 分为非常满意。",
                    required=True,
                    risks=[risk({"lte": 2}, "borrower_dissatisfied", "low", "客户对服务不满意")],
                ),
                q(
                    "nps",
                    "nps",
                    "您向亲友推荐我们的可能性有多大？",
                    help="0 分为完全不可能，10 分为非常可能。",
                ),
                q("suggestions", "text", "您对我们还有什么意见或建议？"),
            ),
        ]
    }


def guarantor():
    return {
        "sections": [
            section(
                "own_finances",
                "担保人自身情况",
                q(
                    "finances_normal",
                    "yes_no",
                    "担保人本人的收入和经营状况是否正常？",
                    "您好，我是××的客户经理。您是××贷款的担保人，今天跟您做个简短的回访。"
                    "请问您本人目前的收入和经营情况都还正常吗？",
                    required=True,
                    risks=[
                        risk({"equals": False}, "guarantor_risk", "medium", "担保人财务状况恶化")
                    ],
                ),
                q(
                    "new_debts",
                    "yes_no",
                    "担保人近期是否新增大额负债或对外担保？",
                    "最近您有没有新增比较大的借款，或者又为别人做了担保？",
                    risks=[
                        risk({"equals": True}, "guarantor_risk", "medium", "担保人新增负债或担保")
                    ],
                ),
                q(
                    "litigation",
                    "yes_no",
                    "担保人是否涉及诉讼、被执行或资产被查封？",
                    "您这边有没有涉及诉讼、被法院执行，或者资产被查封的情况？",
                    required=True,
                    risks=[
                        risk({"equals": True}, "guarantor_risk", "high", "担保人涉诉或资产被查封")
                    ],
                ),
            ),
            section(
                "willingness",
                "担保意愿",
                q(
                    "still_willing",
                    "yes_no",
                    "担保人是否知晓并愿意继续履行担保责任？",
                    "跟您确认一下，您清楚自己对这笔贷款承担的担保责任，并且愿意继续履行，对吗？",
                    required=True,
                    risks=[risk({"equals": False}, "guarantor_risk", "high", "担保人不愿继续担保")],
                ),
            ),
            section(
                "borrower",
                "对借款人的了解",
                q(
                    "aware_trouble",
                    "yes_no",
                    "担保人是否了解到借款人经营或还款出现困难？",
                    "据您了解，借款人最近的经营或者还款有没有遇到什么困难？",
                    required=True,
                    risks=[
                        risk({"equals": True}, "guarantor_risk", "medium", "担保人反映借款人有困难")
                    ],
                ),
                q(
                    "trouble_detail",
                    "text",
                    "借款人困难的具体情况",
                    "能具体说说是什么情况吗？",
                    required=True,
                    show_if={"question": "aware_trouble", "equals": True},
                ),
                q(
                    "notes",
                    "text",
                    "其他情况说明",
                    "您还有其他需要跟我们说明的情况吗？感谢您的配合，再见。",
                ),
            ),
        ]
    }


def collateral():
    return {
        "sections": [
            section(
                "custody",
                "抵押物保管",
                q(
                    "collateral_present",
                    "yes_no",
                    "抵押物是否在约定地点并由管理人正常保管？",
                    "您好，我是××的客户经理，想跟您核实一下抵押物的情况。"
                    "请问抵押物目前还在约定的地点、由您正常保管吗？",
                    required=True,
                    risks=[
                        risk({"equals": False}, "collateral_risk", "high", "抵押物不在约定地点")
                    ],
                ),
                q(
                    "condition",
                    "single",
                    "抵押物的状况",
                    "抵押物现在的状况怎么样？",
                    required=True,
                    options=options(
                        ("good", "完好"), ("wear", "正常损耗"), ("damaged", "明显损坏")
                    ),
                    risks=[risk({"equals": "damaged"}, "collateral_risk", "medium", "抵押物损坏")],
                ),
                q(
                    "encumbered",
                    "yes_no",
                    "抵押物是否被查封、扣押，存在权属争议或已被转让？",
                    "抵押物有没有被查封、扣押，有没有权属纠纷，或者被转让、再次抵押给别人？",
                    required=True,
                    risks=[
                        risk(
                            {"equals": True},
                            "collateral_risk",
                            "high",
                            "抵押物被查封、存在争议或被转让",
                        )
                    ],
                ),
                q(
                    "encumbrance_detail",
                    "text",
                    "查封、争议或转让的具体情况",
                    "具体是什么情况？什么时候发生的？",
                    required=True,
                    show_if={"question": "encumbered", "equals": True},
                ),
                q(
                    "value_trend",
                    "single",
                    "抵押物市场价值与评估时相比",
                    "据您了解，抵押物现在的市场价格和当初评估时比有变化吗？",
                    options=options(
                        ("up", "上升"),
                        ("flat", "基本持平"),
                        ("down", "下降"),
                        ("unknown", "不清楚"),
                    ),
                    risks=[risk({"equals": "down"}, "collateral_risk", "low", "抵押物价值下降")],
                ),
            ),
            section(
                "evidence",
                "现场与说明",
                q(
                    "collateral_photos",
                    "photo",
                    "抵押物照片",
                    "我拍几张抵押物的照片留档。",
                    help="拍摄抵押物全貌、铭牌或权属标识，在本页附件中上传后勾选。",
                ),
                q(
                    "notes",
                    "text",
                    "其他情况说明",
                    "还有其他需要说明的情况吗？感谢您的配合。",
                ),
            ),
        ]
    }


def related():
    return {
        "sections": [
            section(
                "relationship",
                "与借款人的关系",
                q(
                    "authority",
                    "single",
                    "授权代表的授权是否仍然有效",
                    "您好，我是××的客户经理，想就××的贷款跟您做个简短的回访。"
                    "请问您作为授权代表的授权现在还有效吗？（关联方选“不适用”）",
                    required=True,
                    options=options(
                        ("valid", "仍然有效"), ("changed", "已变更或撤销"), ("na", "不适用")
                    ),
                    risks=[
                        risk({"equals": "changed"}, "other_risk", "low", "授权代表的授权已变更")
                    ],
                ),
                q(
                    "contact_ok",
                    "yes_no",
                    "借款人近期能否正常联系？",
                    "您最近能正常联系上借款人吗？",
                    required=True,
                    risks=[
                        risk({"equals": False}, "contact_failure", "medium", "关联方反映借款人失联")
                    ],
                ),
            ),
            section(
                "borrower",
                "借款人近况",
                q(
                    "borrower_condition",
                    "single",
                    "据了解，借款人近期的经营和生活状况",
                    "据您了解，借款人最近的经营和生活情况怎么样？",
                    required=True,
                    options=options(
                        ("normal", "正常"),
                        ("some_trouble", "有些困难"),
                        ("serious", "困难较大"),
                        ("unknown", "不清楚"),
                    ),
                    risks=[
                        risk(
                            {"equals": "some_trouble"},
                            "business_decline",
                            "low",
                            "借款人经营有困难",
                        ),
                        risk(
                            {"equals": "serious"},
                            "business_decline",
                            "medium",
                            "借款人经营困难较大",
                        ),
                    ],
                ),
                q(
                    "aware_disputes",
                    "yes_no",
                    "是否知悉借款人涉及纠纷、诉讼或大额负债？",
                    "您知道借款人有没有涉及什么纠纷、官司，或者欠了比较多的外债？",
                    required=True,
                    risks=[
                        risk(
                            {"equals": True},
                            "other_risk",
                            "medium",
                            "借款人涉及纠纷、诉讼或大额负债",
                        )
                    ],
                ),
                q(
                    "dispute_detail",
                    "text",
                    "纠纷、诉讼或负债的具体情况",
                    "能具体说说吗？",
                    required=True,
                    show_if={"question": "aware_disputes", "equals": True},
                ),
                q(
                    "notes",
                    "text",
                    "其他情况说明",
                    "还有其他需要告诉我们的情况吗？感谢您的配合。",
                ),
            ),
        ]
    }


QUESTIONNAIRES = [
    (
        "borrower-standard",
        "借款人标准回访问卷",
        "客户经理电话、实地或视频回访借款人时使用；每题附话术。",
        ["borrower"],
        ["phone", "onsite", "video"],
        borrower_standard,
    ),
    (
        "borrower-online",
        "借款人线上问卷",
        "借款人通过线上链接自行填写。",
        ["borrower"],
        ["online"],
        borrower_online,
    ),
    ("guarantor", "担保人回访问卷", "回访担保人（所有渠道）。", ["guarantor"], [], guarantor),
    (
        "collateral",
        "抵押物管理人回访问卷",
        "回访抵押物管理人（所有渠道）。",
        ["custodian"],
        [],
        collateral,
    ),
    (
        "related",
        "关联方回访问卷",
        "回访授权代表和其他关联方（所有渠道）。",
        ["representative", "related"],
        [],
        related,
    ),
]


def create_defaults(apps, schema_editor):
    Questionnaire = apps.get_model("questionnaires", "Questionnaire")
    QuestionnaireVersion = apps.get_model("questionnaires", "QuestionnaireVersion")
    for code, name, description, roles, channels, definition in QUESTIONNAIRES:
        questionnaire = Questionnaire.objects.create(
            code=code,
            name=name,
            description=description,
            subject_roles=roles,
            channels=channels,
        )
        QuestionnaireVersion.objects.create(
            questionnaire=questionnaire, number=1, definition=definition(), note=NOTE
        )


def delete_defaults(apps, schema_editor):
    Questionnaire = apps.get_model("questionnaires", "Questionnaire")
    QuestionnaireVersion = apps.get_model("questionnaires", "QuestionnaireVersion")
    codes = [code for code, *_rest in QUESTIONNAIRES]
    # Only the shipped first versions: a questionnaire an admin edited since stays.
    edited = set(
        QuestionnaireVersion.objects.filter(
            questionnaire__code__in=codes, number__gt=1
        ).values_list("questionnaire__code", flat=True)
    )
    untouched = [code for code in codes if code not in edited]
    QuestionnaireVersion.objects.filter(questionnaire__code__in=untouched).delete()
    Questionnaire.objects.filter(code__in=untouched).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaires", "0001_questionnaires"),
    ]

    operations = [
        migrations.RunPython(create_defaults, delete_defaults),
    ]
