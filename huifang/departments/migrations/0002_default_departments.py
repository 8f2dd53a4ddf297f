"""The four departments every institution starts with (admins may rename them or add more).

Written out here rather than imported, so that this migration creates the same rows
whatever the code later becomes. Reversing removes them only while nothing refers to them.
"""

from django.db import migrations

DEFAULTS = [
    ("risk", "风险管理部", "risk"),
    ("credit", "授信审批部", "credit"),
    ("collections", "催收部", "collections"),
    ("service", "客户服务部", "service"),
]


def create(apps, schema_editor):
    Department = apps.get_model("departments", "Department")
    for code, name, kind in DEFAULTS:
        Department.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})


def remove(apps, schema_editor):
    Department = apps.get_model("departments", "Department")
    Department.objects.filter(
        code__in=[code for code, _, _ in DEFAULTS], tasks__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("departments", "0001_departments_and_tasks")]

    operations = [migrations.RunPython(create, remove)]
