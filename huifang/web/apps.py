from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "huifang.web"
    label = "web"
    verbose_name = "界面"
