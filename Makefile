# Two commands do all the set-up (see README): `make run` and `make test`.
# Everything installs into .venv from the pinned requirements; nothing else is needed but
# Python 3.11+.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $$p && break; \
	done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The zero-setup default: SQLite file and filesystem broker in var/, DEBUG on.
# Reminders and escalations are scanned every minute, so the demo's arrive soon after start.
DEV_ENV := DEBUG=$${DEBUG:-true} NOTIFY_SCAN_MINUTES=$${NOTIFY_SCAN_MINUTES:-1}

.PHONY: run test install lint format lock clean screenshots messages

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.11 or newer is needed (python3 --version)"; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

# A git-ignored .env with DEBUG=true, so manage.py and celery work in this checkout without
# exporting anything; production sets its variables in the environment instead.
.env:
	@printf '# Local development settings (git-ignored); .env.example lists every variable.\nDEBUG=true\n' > $@
	@echo "Created .env (DEBUG=true) for local development"

install: $(VENV)/.installed .env

# axe-core for the accessibility tests, from package-lock.json; re-installed only when the
# lockfile changes. Without npm those tests are reported skipped, with the reason.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund && touch $@; \
	else \
		echo "npm not found: the accessibility tests will be skipped (install Node.js and npm)"; \
	fi

## run: install, migrate, seed the demo, and start web + worker + scheduler
run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo
	@echo "  Open http://127.0.0.1:$(PORT)/ and sign in as ceo / engage-demo-2026"
	@echo "  (web, Celery worker and scheduler start below; Ctrl-C stops all three)"
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(DEV_ENV) $(BIN)/honcho start --procfile Procfile.dev --port $(PORT)

## test: install what the tests need and run them
test: install node_modules/.installed
	$(BIN)/pytest

## screenshots: regenerate docs/screenshots/*.png from a fresh demo database (needs Chromium)
screenshots: install
	$(BIN)/python -m e2e.screenshots

## messages: refresh the translation catalogues (locale/ru, locale/ca) from the source; needs
## GNU gettext. Compile (compilemessages) only once a catalogue is translated.
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=e2e --ignore=benchmarks \
	--ignore=docs --ignore=var
messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l ru -l ca --no-obsolete $(MESSAGES_IGNORE)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## lock: re-pin every dependency after editing requirements*.in
lock: install
	$(BIN)/pip-compile --quiet --strip-extras --no-header --annotation-style=line \
		--no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --strip-extras --no-header --annotation-style=line \
		--no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) var node_modules
