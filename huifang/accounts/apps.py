from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "huifang.accounts"
    label = "accounts"
    verbose_name = "账户与权限"

    def ready(self) -> None:
        from huifang.accounts import signals  # noqa: F401 - connects the receivers
