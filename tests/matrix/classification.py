"""Permission-matrix rows for the classification app: see tests/test_permission_matrix.py."""

API_CASES: list = []
WEB_CASES: list = []
