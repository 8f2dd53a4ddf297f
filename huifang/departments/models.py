"""Departments (部门) and their queues: where findings go to be acted on.

A department has members and a head (负责人); its queue holds tasks (待办) that
warnings, reviews and people put there. Tasks are never deleted: they are taken,
then done or cancelled with a note.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DepartmentKind(models.TextChoices):
    """What a department does; findings are routed by kind (selectors.department_for_signal)."""

    RISK = "risk", _("风险管理")
    CREDIT = "credit", _("授信审批")
    COLLECTIONS = "collections", _("催收")
    SERVICE = "service", _("客户服务")
    OTHER = "other", _("其他")


class Department(models.Model):
    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("职能"), max_length=16, choices=DepartmentKind.choices)
    active = models.BooleanField(_("启用"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("成员"),
        related_name="departments",
        blank=True,
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("department head", "负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="departments_headed",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    IN_PROGRESS = "in_progress", _("处理中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
CLOSED_STATUSES = (TaskStatus.DONE, TaskStatus.CANCELLED)


class Task(models.Model):
    """One item of a department's queue (待办)."""

    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("事项"), max_length=200)
    body = models.TextField(_("说明"), blank=True)
    loan = models.ForeignKey(
        "portfolio.Loan",
        verbose_name=_("贷款"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="department_tasks",
    )
    # Where it came from, e.g. ("risk.warning", "42"): a link back, and no second open task for it.
    source_type = models.CharField(_("来源类型"), max_length=40, blank=True)
    source_id = models.CharField(_("来源编号"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    due_date = models.DateField(_("期限"), null=True, blank=True)
    # Nobody when the system created it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="department_tasks",
    )
    note = models.TextField(_("处理说明"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    taken_at = models.DateTimeField(_("接手时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["department", "status", "-created_at"], name="task_queue"),
            models.Index(fields=["source_type", "source_id"], name="task_source"),
        ]
        verbose_name = _("部门待办")
        verbose_name_plural = _("部门待办")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
