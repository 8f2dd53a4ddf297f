"""One database's restructuring benchmark, in a process of its own: prints label<TAB>figure lines."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huifang.settings")
django.setup()

from bench.restructuring import run  # noqa: E402 - needs django.setup()

for label, figure in run(int(sys.argv[1])):
    print(f"{label}\t{figure}", flush=True)
