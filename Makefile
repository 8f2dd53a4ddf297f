# Huifang: every task a person does, as a make target.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export UV_PYTHON_DOWNLOADS := never

.PHONY: install demo test test-sqlite test-postgres lint bench lock messages system-deps clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements/lock.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes -r requirements/lock.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Regenerate the lock after changing pyproject.toml: uv.lock is the source, the
# pip requirements file is exported from it so that plain pip installs the same set.
lock: install
	$(BIN)/uv lock
	$(BIN)/uv export --frozen --extra dev --no-emit-project --format requirements-txt -o requirements/lock.txt -q

demo: install
	$(BIN)/huifang demo

test: install
	@scripts/test.sh

lint: install
	$(BIN)/ruff check huifang tests bench
	$(BIN)/ruff format --check huifang tests bench
	$(BIN)/mypy huifang

bench: install
	$(BIN)/python -m bench

# chromium, fonts-noto-cjk, libharfbuzz-subset0, gettext: installed when missing (apt-get, as root).
system-deps:
	@scripts/system-deps.sh

messages: install
	cd huifang && ../$(BIN)/huifang makemessages -l en --no-obsolete -i "*/tests/*" && ../$(BIN)/huifang compilemessages -l en

clean:
	rm -rf $(VENV) data
