# Fortresa: `make run` serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Debian packages the test suite drives for real.
TEST_DEBS := chromium gettext postgresql-15-pgaudit nftables iproute2 pgbackrest faketime nginx-light caddy wrk valgrind

.PHONY: run test install install-dev lock node-deps deps-audit system-deps lint typecheck secret-scan pytest pytest-sqlite pytest-rls messages translations clean

run: install
	$(BIN)/fortresa run

# Dependencies come only from the hash-pinned locks (see docs/operations/upgrading.md);
# the project itself is then installed without resolving anything further.
LOCK := requirements/base.txt
DEV_LOCK := requirements/dev.txt
PIP_LOCKED := $(BIN)/python -m pip install --quiet --require-hashes -r
PIP_PROJECT := $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .

install: $(STAMP)
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_LOCKED) $(LOCK)
	$(PIP_PROJECT)
	touch $@

install-dev: $(DEV_STAMP)
$(DEV_STAMP): $(STAMP) $(DEV_LOCK)
	$(PIP_LOCKED) $(DEV_LOCK)
	$(PIP_PROJECT)
	touch $@

# Refresh the locks from pyproject.toml, keeping current pins unless LOCK_FLAGS says
# otherwise (--upgrade, --upgrade-package NAME). Local wheel mirrors are left out so
# the hashes are those of the public index.
PIP_COMPILE := env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet \
  --generate-hashes --allow-unsafe --strip-extras --all-build-deps --no-emit-options $(LOCK_FLAGS)
lock: install-dev
	$(PIP_COMPILE) --output-file $(LOCK) pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint $(LOCK) --output-file $(DEV_LOCK) pyproject.toml

# The npm tools the tests drive, exactly as package-lock.json pins them.
node-deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Offline vulnerability audit of the locks and the installed packages against an OSV
# advisory directory; skipped with a note where there is none.
ADVISORY_DB ?= ../shared/advisories/pypa/vulns
deps-audit: install-dev
	@if [ -d "$(ADVISORY_DB)" ]; then \
	  FORTRESA_PROFILE=test $(BIN)/fortresa deps audit --db "$(ADVISORY_DB)" \
	    --lock $(LOCK) --lock $(DEV_LOCK) --no-record; \
	else \
	  echo "deps-audit: SKIPPED: no advisory directory at $(ADVISORY_DB);" \
	    "set ADVISORY_DB to a copy of the PyPA advisory database's vulns/ folder"; \
	fi

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
	@bash tests/external/system-deps.sh

# sslyze (tests/external) pins cryptography < 47, below the application's lock, so it
# gets its own hash-pinned venv.
GRADERS := $(VENV)/graders
grader-deps: $(GRADERS)/.installed
$(GRADERS)/.installed: requirements/graders.txt
	@test -x $(GRADERS)/bin/python || $(PYTHON) -m venv $(GRADERS)
	$(GRADERS)/bin/python -m pip install --quiet --require-hashes -r requirements/graders.txt
	touch $@

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
# History: the commits after the reviewed base recorded in .secret-scan-base.
SECRET_SCAN_RANGE ?= $(shell sed -n 's/^base //p' .secret-scan-base)..HEAD
secret-scan: install-dev
	git ls-files -z | xargs -0 $(BIN)/detect-secrets-hook --baseline .secrets.baseline  # pragma: allowlist secret
	$(BIN)/python -m fortresa.supplychain.history_scan --baseline .secrets.baseline \
	  --cache var/secret-history $(SECRET_SCAN_RANGE)

pytest: install-dev system-deps grader-deps messages
	FORTRESA_PROFILE=test $(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup

pytest-sqlite: install-dev messages
	FORTRESA_PROFILE=test DATABASE_URL=sqlite:///$(CURDIR)/var/test-smoke.sqlite3 \
	  $(BIN)/pytest -p no:cacheprovider -m smoke

# The bookings, payments and clubs packages again with every request under row-level
# security (tests/dbaccess/enforce_plugin.py, docs/operations/database.md).
pytest-rls: install-dev messages
	FORTRESA_PROFILE=test $(BIN)/pytest -p no:cacheprovider -p tests.dbaccess.enforce_plugin \
	  -n 2 --dist loadgroup tests/bookings tests/payments tests/clubs

test: lint typecheck secret-scan deps-audit node-deps pytest pytest-sqlite pytest-rls

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
