# The front door. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV ?= uv
RUN := $(UV) run --frozen
LOCAL := deploy/local

.PHONY: help install up down status run report pilot-report stop pipeline-status test lint typecheck unit integration chaos format schemas bench clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*?## "} /^[a-zA-Z_-]+:.*?## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: ## Install what is missing: uv, the Python environment (.venv), Debian packages
	@$(LOCAL)/install.sh

up: install ## Start Kafka (KRaft), ClickHouse and Prometheus as local processes on 127.0.0.1
	@$(LOCAL)/services.sh up

down: ## Stop the pipeline and every local service
	@$(LOCAL)/pipeline.sh stop
	@$(LOCAL)/services.sh down

status: ## Show what is running
	@$(LOCAL)/services.sh status
	@$(LOCAL)/pipeline.sh status

run: up ## Bring the whole pipeline up, feed it simulated evenings, show the rows, write the load report
	@$(LOCAL)/run.sh

report: up ## Write the catchment load report from what ClickHouse holds now (reports/load-report/)
	@source $(LOCAL)/lib.sh && as_clickhouse reader .venv/bin/hotline load-report

# The pilot evaluation for the steering group; FROM, TO and PILOT_LANG (da or en) can be set.
FROM ?= 2012-12-03
TO ?= 2013-12-01
PILOT_LANG ?= da
pilot-report: up ## Write the pilot evaluation (HTML, JSON, CSV) for FROM..TO in PILOT_LANG (reports/pilot-report/)
	@source $(LOCAL)/lib.sh && as_clickhouse reader .venv/bin/hotline pilot-report --from $(FROM) --to $(TO) --lang $(PILOT_LANG) --out reports/pilot-report

stop: ## Stop the pipeline services (ingest, enrich, sink) but leave Kafka/ClickHouse/Prometheus up
	@$(LOCAL)/pipeline.sh stop

test: up lint typecheck ## Lint, type-check and run every test (starts the local services first)
	@$(RUN) pytest

unit: install ## Only the tests that need no running service
	@$(RUN) pytest -m "not integration and not chaos"

integration: up ## Only the integration tests against real Kafka and ClickHouse
	@$(RUN) pytest -m integration

chaos: install ## Fault suite on a private Kafka + ClickHouse: kill -9, outages, poison input (minutes)
	@$(RUN) pytest -m chaos

lint: install ## Check style (ruff) and that the JSON Schema has not drifted
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .
	@$(RUN) hotline schemas check

typecheck: install ## mypy --strict on all service and contract code
	@$(RUN) mypy schemas/src services/*/src benchmarks

format: install ## Fix style in place
	@$(RUN) ruff check --fix .
	@$(RUN) ruff format .

schemas: install ## Regenerate the JSON Schema files from the pydantic models
	@$(RUN) hotline schemas generate

bench: up ## Benchmarks that print throughput, latency and memory figures
	@source $(LOCAL)/lib.sh && export_clickhouse_role writer && $(RUN) python -m benchmarks

clean: down ## Stop everything and delete the local state folder (.state)
	rm -rf .state
