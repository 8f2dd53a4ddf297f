"""API endpoints of the reports app (registered in huifang.api.api)."""

from ninja import Router

router = Router(tags=["reports"])
