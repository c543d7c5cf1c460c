# The two commands a newcomer runs (see README.md):
#   make demo   brings the local lab up, runs lurusctl against it (components, the monitoring stack and
#               the services), shows them answering, sends traffic with the official SDKs, takes a backup,
#               checks the cluster's health and drills the backup
#   make test   runs every test: unit, command line, the lab integration tests, and the services'
#               tests (Swift, then the official SDKs against the gateway)
# Both install what they need first (scripts/setup). Run them as root: the lab needs namespaces.

SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
# Built releases of the services, by release id, and their build folders: outside the clone, so that a
# fresh clone (CI's) deploys what an earlier run built without compiling it again.
export LURUS_BUILD_CACHE ?= /var/cache/lurusctl
LURUSCTL := .build/debug/lurusctl
LAB_INVENTORY := inventory/lab.yaml

.PHONY: demo test services-test bench gateway-bench billing-bench logs-bench backup-bench setup build release lint format lab-up lab-down

setup:
	@scripts/setup

build: setup
	swift build

# The binary to install on an operator's machine: .build/release/lurusctl, the Swift runtime linked in
# (it runs where no Swift is installed, and starts in about 20 ms instead of 35).
release: setup
	swift build -c release --static-swift-stdlib --product lurusctl

demo: build
	scripts/lab up
	scripts/lab upstream start
	scripts/lab s3 start
	$(LURUSCTL) validate -i $(LAB_INVENTORY)
	$(LURUSCTL) inventory -i $(LAB_INVENTORY)
	$(LURUSCTL) facts -i $(LAB_INVENTORY)
	$(LURUSCTL) plan -i $(LAB_INVENTORY)
	$(LURUSCTL) up -i $(LAB_INVENTORY) --yes
	$(LURUSCTL) up -i $(LAB_INVENTORY) --yes
	scripts/lab-check
	LURUS_CLIENT_KEY=sk-lurus-lab-demo /var/cache/lurusctl/venv/bin/python scripts/test/mission-traffic http://10.77.0.11:18100
	$(LURUSCTL) backup -i $(LAB_INVENTORY)
	$(LURUSCTL) health -i $(LAB_INVENTORY) --quiet
	$(LURUSCTL) restore --drill -i $(LAB_INVENTORY)
	$(LURUSCTL) audit -i $(LAB_INVENTORY) -n 3
	@echo
	@echo "The lab stays up; ssh in with: ssh -F .lab/ssh/config brain   Take it down with: scripts/lab down"

lint:
	swift format lint --strict --recursive --parallel Sources Tests Package.swift
	cd services && swift format lint --strict --configuration ../.swift-format --recursive --parallel Sources Tests Package.swift

format:
	swift format --in-place --recursive --parallel Sources Tests Package.swift
	cd services && swift format --in-place --configuration ../.swift-format --recursive --parallel Sources Tests Package.swift

# The lab tests bring the lab up as they need it; the run always ends with it down. Each test run has a
# deadline (scripts/with-deadline): a hung test fails the run, printing its backtraces, within minutes.
test: setup lint
	swift build --build-tests
	# The lab tests deploy the services: build their release first (7-11 minutes cold on 2 cores, a few
	# seconds from the cache), so that no lab test's deadline has to cover a cold build.
	$(LURUSCTL) build -i $(LAB_INVENTORY)
	scripts/with-deadline 2700 -- swift test --disable-xctest; status=$$?; scripts/lab down; exit $$status
	$(MAKE) services-test

# The bundled services: their Swift tests (real nats-server, redis-server, PostgreSQL and ClickHouse), then the official
# OpenAI, Anthropic and Google SDKs driving the gateway binary (services/Tests/sdk).
services-test: setup
	cd services && swift build --build-tests
	# One test process per test target (every target `swift test list` names), each with a deadline: all
	# 300 tests at once on 2 cores starved each other's connections past their timeouts, and froze runs.
	cd services && targets=$$(swift test --skip-build list | cut -d. -f1 | sort -u); status=0; \
	[ -n "$$targets" ] || { echo "services-test: swift test list named no test target" >&2; exit 1; }; \
	for target in $$targets; do \
		echo "== services: $$target"; \
		../scripts/with-deadline 600 -- swift test --skip-build --disable-xctest --filter "^$$target\." || status=1; \
	done; \
	exit $$status
	scripts/with-deadline 900 -- /var/cache/lurusctl/venv/bin/python -m pytest -q -p no:cacheprovider services/Tests/sdk

# Figures against the lab (printed, never asserted): see doc/operations.md. The provisioning part
# takes the lab down and up several times (fresh hosts for the first `up`).
bench: setup
	scripts/setup --bench
	scripts/lab up
	swift build -c release --static-swift-stdlib --product lurusctl
	swift build -c release --static-swift-stdlib --product lurus-bench
	.build/release/lurus-bench $(LAB_INVENTORY)
	.build/release/lurus-bench provisioning $(LAB_INVENTORY)
	.build/release/lurus-bench compare $(LAB_INVENTORY)
	scripts/lab upstream start
	.build/release/lurusctl up -i $(LAB_INVENTORY) --yes
	.build/release/lurus-bench deploy $(LAB_INVENTORY)
	.build/release/lurus-bench health $(LAB_INVENTORY)

# The gateway's figures with wrk against the fake upstream (printed, never asserted).
gateway-bench: setup
	services/bench/gateway-bench

# The billing service's figures: settling rate, hold and balance latency, the gateway's added latency
# with billing in the path (real PostgreSQL and nats-server; printed, never asserted).
billing-bench: setup
	services/bench/billing-bench

# Backup figures on the lab (about 1 GB each of PostgreSQL and ClickHouse data made there): backup,
# verify and drill times, and lurusctl against a bare pg_dump | zstd (printed, never asserted).
backup-bench: setup
	scripts/lab up
	swift build -c release --static-swift-stdlib --product lurusctl
	scripts/lab upstream start
	.build/release/lurusctl up -i $(LAB_INVENTORY) --yes
	bench/backup-bench

# The log service's figures: ingest rate into ClickHouse 18.16, event-to-queryable delay, stats over
# 10 million rows (real ClickHouse and nats-server; printed, never asserted).
logs-bench: setup
	services/bench/logs-bench

lab-up: setup
	scripts/lab up

lab-down:
	scripts/lab down
