# Two commands for a newcomer: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes: one per core by default; `make test WORKERS=0` runs the suite in this process.
WORKERS ?= auto
export DATABASE_URL ?= sqlite+aiosqlite:///./teikei.db

.PHONY: install lock migrate demo run worker lapse webhooks test lint contract format clean bench

# The virtual environment must be one this interpreter made: a .venv left by another Python (or a
# moved one whose interpreter is gone) is recreated instead of failing on every command.
# The locked, hash-checked dependencies are installed again whenever a lock file or pyproject.toml changes.
install:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed."; exit 1; }
	@want=$$($(PYTHON) -c 'import sys; print(sys.version)'); \
	have=$$($(BIN)/python -c 'import sys; print(sys.version)' 2>/dev/null); \
	if [ "$$want" != "$$have" ]; then \
		[ -d $(VENV) ] && echo "Recreating $(VENV): it was made with another Python."; \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); \
	fi
	@if [ ! -f $(STAMP) ] || [ requirements-dev.lock -nt $(STAMP) ] || [ pyproject.toml -nt $(STAMP) ]; then \
		echo "Installing the locked dependencies into $(VENV) ..."; \
		$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock \
		&& $(BIN)/python -m pip install -qq --no-deps --no-build-isolation -e . \
		&& touch $(STAMP); \
	fi

# Resolve pyproject.toml's pins again, with every file's hash: requirements.lock for the image,
# requirements-dev.lock for development and CI.
lock: install
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 \
		--custom-compile-command "make lock" --quiet -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 \
		--custom-compile-command "make lock" --quiet -o requirements-dev.lock

migrate: install
	$(BIN)/alembic upgrade head

demo: migrate
	$(BIN)/python -m app.demo

# Webhooks are delivered, and notifications made, from the same process; webhooks may go to a receiver on
# this machine (development).
run: demo
	WEBHOOK_DELIVERY_IN_PROCESS=true NOTIFICATIONS_IN_PROCESS=true \
		WEBHOOK_ALLOW_PRIVATE_URLS=$${WEBHOOK_ALLOW_PRIVATE_URLS:-true} \
		$(BIN)/uvicorn --factory app.main:create_app --host $(HOST) --port $(PORT) --no-access-log --no-server-header

# Daily jobs: lapse agreements not fully paid by their due date (refunding their payers) and purge
# expired idempotency records.
worker: migrate
	$(BIN)/python -m app.worker daily

lapse: migrate
	$(BIN)/python -m app.worker lapse

# Deliver webhooks from the outbox until stopped; run as many as the load needs, they share the work.
webhooks: migrate
	$(BIN)/python -m app.worker webhooks

test: install
	$(BIN)/pytest -n $(WORKERS)

bench: install
	$(BIN)/python bench/catalogue.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app tests
	$(BIN)/lint-imports
	$(BIN)/alembic check

# The OpenAPI document, linted with Spectral's OpenAPI rules and OWASP's API Security rules (.spectral.yaml):
# any error fails. The pinned linter is installed into .tools/ on first use; the warnings left are listed,
# each with its reason, in docs/api-contract.md.
SPECTRAL_CLI := @stoplight/spectral-cli@6.16.3
SPECTRAL_OWASP := @stoplight/spectral-owasp-ruleset@2.0.1
SPECTRAL := .tools/node_modules/.bin/spectral
contract: install
	@[ -x $(SPECTRAL) ] && [ -d .tools/node_modules/@stoplight/spectral-owasp-ruleset ] \
		|| npm install --prefix .tools --no-audit --no-fund --silent $(SPECTRAL_CLI) $(SPECTRAL_OWASP)
	@document=$$(mktemp --suffix=.json); \
	$(BIN)/python -c 'import json, sys; from app.main import create_app; json.dump(create_app().openapi(), sys.stdout)' \
		> $$document \
	&& NODE_PATH=.tools/node_modules $(SPECTRAL) lint --ruleset .spectral.yaml --fail-severity=error \
		--display-only-failures $$document; \
	status=$$?; rm -f $$document; exit $$status

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Removes the environment and caches, not the database: `rm teikei.db*` starts the demo afresh.
clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
