"""API endpoints of the evidence app (registered in huifang.api.api)."""

from ninja import Router

router = Router(tags=["evidence"])
