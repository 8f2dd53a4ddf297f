"""API endpoints of the archive app (registered in huifang.api.api)."""

from ninja import Router

router = Router(tags=["archive"])
