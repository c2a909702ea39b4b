# Two commands for a newcomer: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DATABASE_URL ?= sqlite+aiosqlite:///./teikei.db

.PHONY: install migrate demo run lapse test lint format clean bench

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/alembic upgrade head

demo: migrate
	$(BIN)/python -m app.demo

run: demo
	$(BIN)/uvicorn --factory app.main:create_app --host $(HOST) --port $(PORT) --no-access-log

# Daily job: lapse agreements not fully paid by their due date and refund their payers.
lapse: migrate
	$(BIN)/python -m app.worker lapse

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/catalogue.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app tests
	$(BIN)/lint-imports
	$(BIN)/alembic check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) teikei.db teikei.db-wal teikei.db-shm .pytest_cache .mypy_cache .ruff_cache
