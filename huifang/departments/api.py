"""API endpoints of the departments app (registered in huifang.api.api)."""

from ninja import Router

router = Router(tags=["departments"])
