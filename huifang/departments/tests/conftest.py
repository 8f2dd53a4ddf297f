"""A collections department with officer_a as its member, and tasks on loans of both branches."""

import pytest

from huifang.accounts.models import Role
from huifang.audit.services import Actor
from huifang.departments.models import Department
from huifang.departments.services import department_task_create
from huifang.portfolio.models import Loan

SYSTEM = Actor(user_id=None, name="system", via="task")


@pytest.fixture
def queue(two_branches):
    collections = Department.objects.get(code="collections")
    collections.members.add(two_branches[Role.OFFICER])
    tasks = {
        "a": department_task_create(
            department="collections",
            title="A-0001 还款意愿差，安排催收",
            loan=Loan.objects.get(loan_no="A-0001"),
            source_type="risk.warning",
            source_id="1",
            actor=SYSTEM,
        ),
        "b": department_task_create(
            department="collections",
            title="B-0001 逾期，安排催收",
            loan=Loan.objects.get(loan_no="B-0001"),
            source_type="risk.warning",
            source_id="2",
            actor=SYSTEM,
        ),
        "general": department_task_create(
            department="collections", title="整理本月催收台账", actor=SYSTEM
        ),
    }
    return {**two_branches, "department": collections, "tasks": tasks}
