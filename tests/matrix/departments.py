"""Permission-matrix rows for the departments app and the group robots (notifications).

The task is in the risk department's queue about branch B's loan; nobody is a member,
so only the roles that see every queue read it, and only risk managers work it.
"""

from huifang.accounts.models import Role

OF, RV, RM, AD, AU = Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.ADMIN, Role.AUDITOR
EVERYONE = {OF, RV, RM, AD, AU}
# Nothing listens on the discard port: a send fails at once, never reaching a real host.
DEAD_URL = "http://127.0.0.1:9/cgi-bin/webhook/send?key=matrix-key-0001"


def _task_b(two_branches: dict) -> int:
    from huifang.audit.services import Actor
    from huifang.departments.services import department_task_create
    from huifang.portfolio.models import Loan

    task = department_task_create(
        department="risk",
        title="核实资金用途",
        loan=Loan.objects.get(loan_no="B-0001"),
        source_type="matrix",
        source_id="1",
        actor=Actor(user_id=None, name="system", via="task"),
    )
    return task.pk


def _channel(two_branches: dict) -> int:
    from huifang.audit.services import Actor
    from huifang.notifications.deliveries import channel_create
    from huifang.notifications.models import WebhookChannel

    existing = WebhookChannel.objects.filter(name="矩阵机器人").first()
    if existing:
        return existing.pk
    return channel_create(
        kind="wecom",
        name="矩阵机器人",
        url=DEAD_URL,
        actor=Actor(user_id=None, name="system", via="command"),
    ).pk


def _failed_delivery(two_branches: dict) -> int:
    from huifang.notifications.deliveries import deliveries_queue
    from huifang.notifications.models import Delivery, WebhookChannel

    channel = WebhookChannel.objects.get(pk=_channel(two_branches))
    (delivery,) = deliveries_queue(channels=[channel], title="矩阵消息")
    Delivery.objects.filter(pk=delivery.pk).update(
        status="failed", attempts=6, last_error="HTTP 500"
    )
    return delivery.pk


PLACEHOLDERS = {
    "dept_task_b": _task_b,
    "webhook_channel": _channel,
    "webhook_delivery": _failed_delivery,
}

API_CASES = [
    ("GET", "/api/v1/departments", None, EVERYONE),
    ("GET", "/api/v1/departments/risk", None, {RM, AD, AU}),
    ("GET", "/api/v1/departments/risk/tasks", None, {RM, AD, AU}),
    ("GET", "/api/v1/departments/risk/tasks?status=closed", None, {RM, AD, AU}),
    ("POST", "/api/v1/departments/risk/tasks/{dept_task_b}/take", None, {RM}),
    (
        "POST",
        "/api/v1/departments/risk/tasks/{dept_task_b}/close",
        {"outcome": "done", "note": "已核实"},
        {RM},
    ),
    ("GET", "/api/v1/departments/nosuch", None, set()),
]
API_ROUTES = {
    "departments/risk": "departments/<code>",
    "departments/nosuch": "departments/<code>",
    "{dept_task_b}": "<task_id>",
    "tasks?status=closed": "tasks",
}

WEB_CASES = [
    ("GET", "/departments/", None, EVERYONE),
    ("GET", "/departments/new/", None, {AD}),
    ("POST", "/departments/new/", {"code": "legal", "name": "法律事务部", "kind": "other"}, {AD}),
    ("GET", "/departments/risk/", None, {RM, AD, AU}),
    ("GET", "/departments/risk/?tab=closed", None, {RM, AD, AU}),
    ("GET", "/departments/risk/edit/", None, {AD}),
    (
        "POST",
        "/departments/risk/edit/",
        {"name": "风险管理部", "kind": "risk", "active": "on"},
        {AD},
    ),
    ("POST", "/departments/risk/tasks/{dept_task_b}/take/", {}, {RM}),
    (
        "POST",
        "/departments/risk/tasks/{dept_task_b}/close/",
        {"outcome": "done", "note": "已核实"},
        {RM},
    ),
    ("GET", "/notifications/webhooks/", None, {AD}),
    (
        "POST",
        "/notifications/webhooks/",
        {"kind": "wecom", "name": "风险群", "url": DEAD_URL, "department": "risk", "active": "on"},
        {AD},
    ),
    ("GET", "/notifications/webhooks/{webhook_channel}/", None, {AD}),
    ("POST", "/notifications/webhooks/{webhook_channel}/", {"name": "改名", "active": "on"}, {AD}),
    ("POST", "/notifications/webhooks/{webhook_channel}/test/", {}, {AD}),
    ("POST", "/notifications/deliveries/{webhook_delivery}/retry/", {}, {AD}),
]
WEB_ROUTES = {
    "departments/risk/": "departments/<slug:code>/",
    "{dept_task_b}": "<int:task_id>",
    "{webhook_channel}": "<int:channel_id>",
    "{webhook_delivery}": "<int:delivery_id>",
}
