"""API endpoints of the risk app (registered in huifang.api.api)."""

from ninja import Router

router = Router(tags=["risk"])
