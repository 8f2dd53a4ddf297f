"""The blank import templates offered for download (interfaces.md, "Loan import", "Repayment import").

Sheet 1 carries the Chinese headers (required ones in bold) and one example row
of valid values; sheet 2 explains each column.
"""

import io
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from huifang.portfolio.importing.columns import LOAN_COLUMNS, REPAYMENT_COLUMNS, Column

# What each column takes, in the user's words (interfaces.md).
FORMATS: Mapping[str, object] = {  # lazy translations, rendered with str()
    "loan_no": gettext_lazy("文本，合同编号唯一；已存在的编号将更新该贷款"),
    "borrower_name": gettext_lazy("文本"),
    "borrower_type": gettext_lazy("个人 或 企业（也可填 individual / enterprise）"),
    "borrower_id_no": gettext_lazy(
        "个人：18 位居民身份证号（校验位须正确）；企业：18 位统一社会信用代码（校验位须正确）"
    ),
    "borrower_phone": gettext_lazy("11 位手机号，或固定电话如 010-62345678"),
    "product": gettext_lazy("文本"),
    "principal": gettext_lazy("大于 0 的金额（元），最多两位小数"),
    "annual_rate": gettext_lazy("小数 0.0435 或百分数 4.35%，须小于 100%"),
    "term_months": gettext_lazy("整数 1–360"),
    "disbursement_date": gettext_lazy("日期 YYYY-MM-DD 或 YYYY/MM/DD，或 Excel 日期单元格"),
    "maturity_date": gettext_lazy("日期，须晚于放款日期；留空则按放款日期加期限计算"),
    "repayment_method": gettext_lazy("等额本息、等额本金、先息后本 或 一次性还本付息"),
    "purpose": gettext_lazy("文本：合同约定的贷款用途"),
    "risk_level": gettext_lazy("低、中 或 高；留空为中"),
    "branch": gettext_lazy("机构名称；新机构将自动创建"),
    "officer": gettext_lazy("系统中已有用户的用户名；留空则不变"),
    "guarantor_name": gettext_lazy("文本；无担保人则留空"),
    "guarantor_id_no": gettext_lazy("填写担保人时必填：居民身份证号或统一社会信用代码"),
    "guarantor_phone": gettext_lazy("同联系电话"),
    "paid_date": gettext_lazy("日期 YYYY-MM-DD 或 YYYY/MM/DD，不早于放款日期"),
    "amount": gettext_lazy("大于 0 的金额（元），最多两位小数"),
}

# Example values that pass validation: the resident ID and the credit code carry correct
# check digits (stdnum.cn.ric / stdnum.cn.uscc.calc_check_digit).
EXAMPLE_LOAN_NO = "HT-2025-000001"
EXAMPLES: Mapping[str, Mapping[str, object]] = {
    "loans": {
        "loan_no": EXAMPLE_LOAN_NO,
        "borrower_name": "张伟",
        "borrower_type": "个人",
        "borrower_id_no": "110101199003074477",
        "borrower_phone": "13800138000",
        "product": "个人经营贷",
        "principal": Decimal("300000.00"),
        "annual_rate": Decimal("0.0435"),
        "term_months": 36,
        "disbursement_date": date(2025, 3, 15),
        "maturity_date": None,
        "repayment_method": "等额本息",
        "purpose": "采购经营用原材料",
        "risk_level": "中",
        "branch": "北京总部",
        "officer": None,
        "guarantor_name": "北京恒信融资担保有限公司",
        "guarantor_id_no": "91110108MA01ABCD97",
        "guarantor_phone": "010-62345678",
    },
    "repayments": {
        "loan_no": EXAMPLE_LOAN_NO,
        "paid_date": date(2025, 4, 15),
        "amount": Decimal("8879.47"),
    },
}
COLUMNS: Mapping[str, Sequence[Column]] = {"loans": LOAN_COLUMNS, "repayments": REPAYMENT_COLUMNS}

HEADER_FILL = PatternFill("solid", fgColor="E8EEF6")
NUMBER_FORMATS = {
    "principal": "#,##0.00",
    "amount": "#,##0.00",
    "annual_rate": "0.00%",
    "disbursement_date": "yyyy-mm-dd",
    "maturity_date": "yyyy-mm-dd",
    "paid_date": "yyyy-mm-dd",
}
# Columns Excel must keep as text, or it shows long numbers in scientific notation.
TEXT_COLUMNS = {"loan_no", "borrower_id_no", "guarantor_id_no", "borrower_phone", "guarantor_phone"}


def template_workbook(kind: str) -> bytes:
    columns = COLUMNS[kind]
    example = EXAMPLES[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("贷款") if kind == "loans" else _("还款")
    for position, column in enumerate(columns, start=1):
        header = sheet.cell(row=1, column=position, value=column.header_zh)
        header.font = Font(bold=column.required)
        header.fill = HEADER_FILL
        value = example.get(column.name)
        cell = sheet.cell(
            row=2, column=position, value=float(value) if isinstance(value, Decimal) else value
        )
        if column.name in NUMBER_FORMATS:
            cell.number_format = NUMBER_FORMATS[column.name]
        elif column.name in TEXT_COLUMNS:
            cell.number_format = "@"
        width = max(len(column.header_zh) * 2 + 4, 14 if column.name not in TEXT_COLUMNS else 22)
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("表头"), _("英文列名"), _("必填"), _("格式")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for column in columns:
        required = _("是") if column.required else _("否")
        if column.name == "guarantor_id_no":
            required = _("填写担保人时必填")
        notes.append([column.header_zh, column.name, required, str(FORMATS.get(column.name, ""))])
    notes.append([])
    notes.append(
        [
            _(
                "说明：粗体表头为必填列；列的顺序可以调整，表头可用中文或英文列名；请删除示例行后填写。"
            )
        ]
    )
    for letter, width in zip("ABCD", (18, 22, 18, 70), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
