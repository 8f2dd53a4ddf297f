"""Which department a finding goes to, and the departments every institution starts with."""

import pytest

from huifang.departments.models import Department
from huifang.departments.selectors import department_for_signal, signal_kind


def test_the_four_departments_are_shipped(db):
    assert dict(Department.objects.values_list("code", "name")) == {
        "risk": "风险管理部",
        "credit": "授信审批部",
        "collections": "催收部",
        "service": "客户服务部",
    }


@pytest.mark.parametrize(
    ("signal", "code"),
    [
        ("fund_misuse", "risk"),
        ("business_decline", "risk"),
        ("repayment_ability", "risk"),
        ("legal_risk", "risk"),
        ("asset_seizure", "risk"),
        ("borrower_missing", "risk"),
        ("contact_failure", "risk"),
        ("other_risk", "risk"),
        ("repayment_willingness", "collections"),
        ("dpd_30", "collections"),
        ("overdue", "collections"),
        ("partial_payment", "collections"),
        ("repayment_trend", "collections"),
        ("borrower_dissatisfied", "service"),
        ("guarantor_risk", "credit"),
        ("collateral_risk", "credit"),
        ("something_new", "risk"),
        ("", "risk"),
    ],
)
def test_a_finding_goes_to_the_department_it_concerns(db, signal, code):
    assert department_for_signal(signal) == code


def test_signal_kinds_need_no_database():
    assert signal_kind("Repayment_Willingness ") == "collections"


def test_a_closed_department_hands_its_findings_to_another_of_its_kind_or_to_risk(db):
    Department.objects.filter(code="collections").update(active=False)
    assert department_for_signal("repayment_willingness") == "risk"
    Department.objects.create(code="collections-east", name="催收二部", kind="collections")
    assert department_for_signal("repayment_willingness") == "collections-east"
