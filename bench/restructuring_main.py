"""One database's restructuring benchmark, in a process of its own: prints label<TAB>figure lines."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huifang.settings")
django.setup()

if __name__ == "__main__":  # the import's worker process (spawn) imports this module too
    from bench.restructuring import run

    for label, figure in run(int(sys.argv[1])):
        print(f"{label}\t{figure}", flush=True)
