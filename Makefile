# Fortresa: `make run` serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Debian packages the test suite drives for real.
TEST_DEBS := chromium gettext postgresql-15-pgaudit nftables iproute2

.PHONY: run test install install-dev system-deps lint typecheck secret-scan pytest pytest-sqlite messages translations clean

run: install
	$(BIN)/fortresa run

install: $(STAMP)
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

install-dev: $(DEV_STAMP)
$(DEV_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

system-deps:
	@missing=""; for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "make test needs these Debian packages: $$missing"; \
	    echo "install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

messages: install
	$(BIN)/fortresa compile_translations

# Extract new strings and merge them into every catalogue (needs Debian's gettext).
LOCALES := fr de nl sv zh_Hans
translations: install
	cd src/fortresa && env -u DJANGO_SETTINGS_MODULE ../../$(BIN)/python -m django makemessages \
	  $(addprefix --locale=,$(LOCALES)) --no-obsolete --no-location --ignore='migrations/*'
	cd src/fortresa && env -u DJANGO_SETTINGS_MODULE ../../$(BIN)/python -m django makemessages \
	  --domain=djangojs $(addprefix --locale=,$(LOCALES)) --no-obsolete --no-location

lint: install-dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: install-dev
	$(BIN)/mypy

# Fails on any committed secret: the baseline holds no accepted findings, so every
# finding is new. A deliberate test value is marked on its line with
# `pragma: allowlist secret`.
secret-scan: install-dev
	git ls-files -z | xargs -0 $(BIN)/detect-secrets-hook --baseline .secrets.baseline  # pragma: allowlist secret

pytest: install-dev system-deps messages
	FORTRESA_PROFILE=test $(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup

pytest-sqlite: install-dev messages
	FORTRESA_PROFILE=test DATABASE_URL=sqlite:///$(CURDIR)/var/test-smoke.sqlite3 \
	  $(BIN)/pytest -p no:cacheprovider -m smoke

test: lint typecheck secret-scan pytest pytest-sqlite

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
