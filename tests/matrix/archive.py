"""Permission-matrix rows for the archive app: see tests/test_permission_matrix.py.

Everyone who reads loans searches the archive, within their own branches: asking
for branch B's archive from branch A is refused unless the role sees every branch.
"""

from huifang.accounts.models import Branch, Role

OF, RV, RM, AD, AU = Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.ADMIN, Role.AUDITOR
EVERYONE = {OF, RV, RM, AD, AU}


def _branch_b(two_branches: dict) -> int:
    return Branch.objects.get(name="乙分行").pk


PLACEHOLDERS = {"archive_branch_b": _branch_b}

API_CASES: list = [
    ("GET", "/api/v1/archive/search", None, EVERYONE),
    ("GET", "/api/v1/archive/search?q=员工&kind=first", None, EVERYONE),
    ("GET", "/api/v1/archive/search?branch={archive_branch_b}", None, {RM, AD, AU}),
]
WEB_CASES: list = [
    ("GET", "/archive/", None, EVERYONE),
    ("GET", "/archive/?q=员工&kind=first&date_from=2025-01-01", None, EVERYONE),
    ("GET", "/archive/?branch={archive_branch_b}", None, {RM, AD, AU}),
]
