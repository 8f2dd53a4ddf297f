from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "huifang.reports"
    label = "reports"
    verbose_name = _("报告")

    def ready(self) -> None:
        from django.core import checks

        from huifang.reports.checks import cjk_font_check

        checks.register(cjk_font_check)
