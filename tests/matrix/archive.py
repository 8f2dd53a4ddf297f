"""Permission-matrix rows for the archive app: see tests/test_permission_matrix.py."""

API_CASES: list = []
WEB_CASES: list = []
