# treVM bench — see README.md. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
# The catalog's lists (runtimes, builds, boards, suites), generated from
# catalog/src by `make catalog`; a test fails when it drifts.
include mk/catalog.mk

BOARD   ?= host
RUNTIME ?=
SUITE   ?= own
# The memory profile of the firmwares (catalog/src/profile.rs): `default`
# (a 64 KiB stack, the rest of RAM the heap) or `paper` (the paper's Ariel OS
# layout). Runs of another profile than `default` go to a file of their own.
PROFILE ?= default
# The operating system of the firmwares (catalog/src/os.rs): `bare` or
# `ariel-os`; empty: the board's default (Ariel OS on the real boards, bare
# metal on the QEMU boards, Ariel OS on ariel-native).
OS      ?=
# Results file; empty: the runner's default, results/runs/<board>[-<os>][-<profile>].jsonl
# (the OS when not bare metal on a board with both, the profile when not default).
OUT     ?=
TIMEOUT ?= 120
# `make bench`/`make plan`: cells at once (empty: one per core), samples per
# cell (empty: the board's, 1 under emulation), one part of the matrix
# (i/n, for CI matrices), workloads by name, your own modules (MODULE=a.wasm,b.wasm
# or SUITE_DIR=folder, of ABI=embench|coremark).
JOBS    ?=
REPEAT  ?=
SHARD   ?=
WORKLOAD ?=
MODULE  ?=
SUITE_DIR ?=
ABI     ?= embench
REPORT  ?= report
RESULTS ?= $(wildcard results/runs/*.jsonl)
PAPER   ?= results/paper/dcoss2026
THRESHOLD ?= 1.0
# `make suites`: local upstream checkouts (else the cache, else a download),
# which suites, compilers, CoreMark iterations (0: CoreMark picks, >= 10 s).
COREMARK_SRC ?=
EMBENCH_SRC ?=
EMBENCH_CURRENT_SRC ?=
SUITES_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/trevm-bench
BUILD_SUITES ?= all
COREMARK_CC ?= clang
EMBENCH_CC ?= emcc
ITERATIONS ?= 0
# The C suites compiled natively into the `native` builds (benches/native-c).
# TREVM_NATIVE_C is the one switch: unset (the default) or `none`, no C
# suites, whatever earlier runs left in build/; `all`, every suite `make
# suites` built; `suite[/benchmark],...`, those. When it is not set, `make
# bench`, `make plan` and `make host-programs` pass `all` if SUITE names a C
# suite (or `all`) and `make suites` has listed suites in
# build/suites/sources.txt (checked when the recipe runs).
comma := ,
C_SUITES := $(filter-out own,$(CATALOG_SUITES))
native_c = $(if $(filter-out undefined,$(origin TREVM_NATIVE_C)),$(TREVM_NATIVE_C),$(if $(filter all $(C_SUITES),$(subst $(comma), ,$(SUITE))),$$(grep -qs '^[a-z-]*=' build/suites/sources.txt && echo all)))

CARGO   := cargo
RUNNER  := $(CARGO) run --quiet --release -p trevm-runner --bin trevm --
ANALYSIS := $(CARGO) run --quiet --release -p trevm-analysis --bin trevm-analysis --
# `make test` (and the makes it starts) runs the runner and the analysis
# from one `cargo build --workspace --all-targets`: the features `cargo test
# --workspace` resolves. `cargo run -p` resolves each package's own (other
# features of syn, object, serde_json ...), and the tests then compiled
# probe-rs, the runner and 160 other crates a second time. That build never
# sees TREVM_NATIVE_C: it is for the programs the runner builds.
ifneq ($(filter test,$(MAKECMDGOALS)),)
export TREVM_WORKSPACE_BUILD := 1
endif
ifeq ($(TREVM_WORKSPACE_BUILD),1)
workspace_bin = bash -c 'env -u TREVM_NATIVE_C $(CARGO) build --release --workspace --all-targets && exec "$${CARGO_TARGET_DIR:-target}/release/$(1)" "$$@"' $(1)
RUNNER   := $(call workspace_bin,trevm)
ANALYSIS := $(call workspace_bin,trevm-analysis)
endif

.PHONY: help catalog setup workloads capsules suites host-programs firmware ariel-firmware smoke-firmware laze-cell size size-check bench plan merge fuzz test reproduce report compare list clean

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'
	@echo "  variables: BOARD=$(BOARD) RUNTIME=<a,b> SUITE=$(subst $(eval) ,|,$(CATALOG_SUITES))|all PROFILE=$(subst $(eval) ,|,$(CATALOG_PROFILES)) OS=$(subst $(eval) ,|,$(CATALOG_OSES)) (default: the board's) OUT=<file.jsonl> TIMEOUT=<s>"
	@echo "  Ariel OS boards: $(CATALOG_ARIEL_BOARDS) (Ariel OS $(CATALOG_ARIEL_OS_COMMIT); scripts/ariel-os.sh finds it)"
	@echo "  boards: $(CATALOG_BOARDS)"
	@echo "  runtimes: $(CATALOG_RUNTIMES)"
	@echo "  native C suites: TREVM_NATIVE_C=all|<suite>[/<name>],... (default: none; bench/plan/host-programs with a C SUITE pass all after make suites)"

catalog: ## regenerate laze-project.yml and mk/catalog.mk from the catalog (catalog/src)
	TREVM_BLESS=1 $(CARGO) test --quiet -p trevm-catalog --features std --test drift

setup: ## install Debian packages and Rust targets (idempotent)
	@bash scripts/setup.sh

workloads: setup ## build the own workload modules (wasm32v1-none)
	$(CARGO) build --profile guest -p own-workloads --target wasm32v1-none --features guest --bins

capsules: setup ## build the capsules (capsules/, Wasm components) into build/suites/capsules/
	$(RUNNER) capsules

suites: setup ## CoreMark + Embench as Wasm from pinned upstream [COREMARK_SRC=dir] [EMBENCH_SRC=dir] [ITERATIONS=n]
	python3 scripts/suites.py build --suite $(BUILD_SUITES) --cache "$(SUITES_CACHE)" \
	  --coremark-src "$(COREMARK_SRC)" --embench-src "$(EMBENCH_SRC)" --embench-current-src "$(EMBENCH_CURRENT_SRC)" \
	  --coremark-cc $(COREMARK_CC) --embench-cc $(EMBENCH_CC) --iterations $(ITERATIONS)

host-programs: setup ## build the host board's cell programs (all runtime variants) [SUITE=..: a C suite compiles the built C suites into native]
	TREVM_NATIVE_C="$(native_c)" $(RUNNER) build --board host

firmware: setup ## build a board's firmwares: BOARD=qemu-m33 [RUNTIME=a,b] [PROFILE=paper] [OS=bare|ariel-os]
	$(RUNNER) build --board $(BOARD) --profile $(PROFILE) $(if $(OS),--os $(OS)) $(if $(RUNTIME),--runtime $(RUNTIME))

# The Ariel OS programs the Ariel OS test runs on ariel-native (runner/tests/ariel_native.rs).
ARIEL_RUNTIMES := wasmi,wamr,native,trevm
ariel-firmware: setup ## the Ariel OS programs of ariel-native the test needs (skipped, saying how to get Ariel OS, when it is not reachable)
	@if bash scripts/ariel-os.sh check; then $(RUNNER) build --board ariel-native --runtime $(ARIEL_RUNTIMES) && \
	  bash scripts/laze-cell.sh native trevm-coap; \
	else echo "ariel-firmware: skipped: Ariel OS is not reachable (see above)"; fi

# What `make test` runs on the emulated boards (runner/tests/qemu_boards.rs).
SMOKE_BOARDS   := $(CATALOG_EMULATED_BOARDS)
SMOKE_RUNTIMES := wasmi,wamr,native
# ... and every runtime build on the board the failure cases run on
# (runner/tests/failure_cases.rs: every variant, host and this board).
CASES_BOARD    := qemu-m4f

smoke-firmware: setup ## the firmwares the QEMU smoke test needs
	for b in $(SMOKE_BOARDS); do $(RUNNER) build --board $$b --runtime $(SMOKE_RUNTIMES) || exit 1; done
	$(RUNNER) build --board $(CASES_BOARD)
	# The stack guard's test overflows the native stack on RV32 with wasm3
	# (runner/tests/qemu_boards.rs).
	$(RUNNER) build --board qemu-rv32 --runtime wasm3

size: setup ## footprint records of every firmware of BOARD [RUNTIME=a,none] [PROFILE=paper] [OS=bare|ariel-os] [COAP=1: also the CoAP apps, Ariel OS] (default OUT results/runs/<board>[-<os>][-<profile>]-size.jsonl)
	$(RUNNER) size --board $(BOARD) --profile $(PROFILE) $(if $(OS),--os $(OS)) $(if $(OUT),--out $(OUT)) $(if $(RUNTIME),--runtime $(RUNTIME)) $(if $(COAP),--coap)

# One Ariel OS firmware cell built with laze, as any Ariel OS app.
LAZE_BOARD ?= nrf52840dk
LAZE_APP   ?= wasmi
laze-cell: setup ## build one Ariel OS firmware cell with laze [LAZE_BOARD=nrf52840dk] [LAZE_APP=wasmi]
	bash scripts/laze-cell.sh $(LAZE_BOARD) $(LAZE_APP)

# The footprint gate: fresh footprints of SIZE_BOARDS (bare metal) and
# SIZE_ARIEL_BOARDS (Ariel OS, when Ariel OS is reachable) against results/baseline/.
SIZE_BOARDS ?= $(CATALOG_FIRMWARE_BOARDS)
SIZE_ARIEL_BOARDS ?= $(filter-out ariel-native,$(CATALOG_ARIEL_BOARDS))
SIZE_RUNTIMES ?=
size-check: setup ## footprint gate: make size for SIZE_BOARDS (bare) and SIZE_ARIEL_BOARDS (Ariel OS) into build/size/, compared with results/baseline/ [THRESHOLD=1.0]
	rm -rf build/size && mkdir -p build/size
	# The baselines' builds: no C suites in `native`, whatever TREVM_NATIVE_C says
	# (unset, as for every other build here: set, it rebuilds the host programs).
	for b in $(SIZE_BOARDS); do env -u TREVM_NATIVE_C $(RUNNER) size --board $$b --os bare --out build/size/$$b-size.jsonl $(if $(SIZE_RUNTIMES),--runtime $(SIZE_RUNTIMES)) || exit 1; done
	@if [ -n "$(SIZE_ARIEL_BOARDS)" ] && bash scripts/ariel-os.sh check; then \
	  for b in $(SIZE_ARIEL_BOARDS); do env -u TREVM_NATIVE_C $(RUNNER) size --board $$b --os ariel-os --out build/size/$$b-ariel-os-size.jsonl $(if $(SIZE_RUNTIMES),--runtime $(SIZE_RUNTIMES)) || exit 1; done; \
	else echo "size-check: the Ariel OS footprints are skipped: Ariel OS is not reachable (see above)"; fi
	$(ANALYSIS) size-check --baseline-dir results/baseline --current-dir build/size --threshold $(THRESHOLD)

# The matrix options bench and plan share.
matrix_args = --board $(BOARD) --profile $(PROFILE) $(if $(OS),--os $(OS)) $(if $(RUNTIME),--runtime $(RUNTIME)) \
  $(if $(or $(MODULE),$(SUITE_DIR)),$(if $(filter command% environment%,$(origin SUITE)),--suite $(SUITE)) --abi $(ABI),--suite $(SUITE)) \
  $(if $(MODULE),--module $(MODULE)) $(if $(SUITE_DIR),--suite-dir $(SUITE_DIR)) $(if $(WORKLOAD),--workload $(WORKLOAD)) $(if $(SHARD),--shard $(SHARD))

bench: setup ## run the matrix: BOARD=host [RUNTIME=..] [SUITE=..] [WORKLOAD=..] [MODULE=a.wasm|SUITE_DIR=dir ABI=embench] [JOBS=n] [REPEAT=n] [SHARD=i/n] [PROFILE=paper] [OS=bare|ariel-os] [OUT=..] [PROBE=VID:PID[:SERIAL]]
	TREVM_NATIVE_C="$(native_c)" $(RUNNER) bench $(matrix_args) $(if $(OUT),--out $(OUT)) --timeout $(TIMEOUT) $(if $(JOBS),--jobs $(JOBS)) $(if $(REPEAT),--repeat $(REPEAT)) $(if $(PROBE),--probe $(PROBE))

plan: setup ## a real board's plan without a probe: BOARD=rpi-pico2-w [RUNTIME=..] [SUITE=..] [WORKLOAD=..] [SHARD=i/n] [PROFILE=paper] [OS=bare|ariel-os]
	TREVM_NATIVE_C="$(native_c)" $(RUNNER) bench $(matrix_args) --dry-run

merge: ## join the results files of a sharded run: FILES="a.jsonl b.jsonl" OUT=merged.jsonl
	@test -n "$(FILES)" -a -n "$(OUT)" || { echo "usage: make merge FILES=\"shard-1.jsonl shard-2.jsonl\" OUT=results/runs/<board>.jsonl"; exit 2; }
	$(RUNNER) merge --out $(OUT) $(FILES)

# `make fuzz`: the reliability campaign (runner/src/fuzz): COUNT generated
# modules and COUNT mutants through every runtime variant of BOARD.
COUNT   ?= 50
SEED    ?= 1
REPLAY  ?=
fuzz: setup ## the reliability campaign: COUNT generated + COUNT mutated modules through every variant of BOARD [SEED=s] [RUNTIME=a,b] [JOBS=n] [REPLAY=file|folder: run those instead, e.g. fuzz/corpus]; fails when a cell breaks the invariant
	$(RUNNER) fuzz --board $(BOARD) $(if $(RUNTIME),--runtime $(RUNTIME)) $(if $(REPLAY),--replay $(REPLAY),--count $(COUNT) --seed $(SEED)) $(if $(JOBS),--jobs $(JOBS))

list: ## runtime variants, suites and what is built
	$(RUNNER) list

# CI's footprint gate covers the runtime builds the smoke test builds anyway
# (all of them: `make size-check`).
CI_SIZE_RUNTIMES := none,wasmi,wamr
# ... and, under Ariel OS, the paper's Table II board only (each Ariel OS
# board is a cold Ariel OS build of its own; `make size-check` does all).
CI_SIZE_ARIEL_BOARDS := nrf52840dk
# What `make test` says before each step: the time, to see where it goes.
step = @echo "test: [$$(date +%T)] $(1)"

test: setup workloads capsules host-programs smoke-firmware ariel-firmware ## the test suite (what CI runs), then the footprint gate on the smoke builds
	$(call step,the workspace's tests)
	# Each test command of the workspace's crates selects with --workspace
	# (then --test/--lib), to share the build the runner came from.
	$(CARGO) test --release --workspace
	$(call step,the Ariel OS tests)
	# Ariel OS: cells on ariel-native, and one real-board cell built with laze
	# as an Ariel OS user would (both skipped, saying why, without Ariel OS).
	@if bash scripts/ariel-os.sh check; then \
	  $(CARGO) test --release --workspace --test ariel_native --test capsules --test coap_update -- --ignored && \
	  bash scripts/laze-cell.sh $(LAZE_BOARD) $(LAZE_APP); \
	else echo "test: the Ariel OS tests are skipped: Ariel OS is not reachable (see above)"; fi
	$(call step,the runtimes' tests)
	# One test thread: these tests measure a process-wide allocator (they are
	# serialised by a lock anyway), and other test threads starting up would
	# add allocations of their own to the leak checks.
	$(CARGO) test --release -p trevm-bench --features std,prepare,wasmtime,wasmtime-42,wasmi,wasmi-1,wamr,wasm-interpreter,tinywasm,wasm3,native -- --test-threads=1
	# The runtimes' tests in the two other builds: Pulley without SIMD
	# (wasmtime-no-simd, trevm, wasmtime-no-simd@42.0.1: conformance and updates)
	# and nightly (wasefire: conformance and its own).
	CARGO_TARGET_DIR=target/no-simd RUSTFLAGS='--cfg pulley_disable_interp_simd' \
	  $(CARGO) test --release -p trevm-bench --features std,prepare,wasmtime,wasmtime-42,trevm --test runtimes -- --test-threads=1
	CARGO_TARGET_DIR=target/nightly $(CARGO) +nightly test --release -p trevm-bench --features std,prepare,wasefire --test runtimes -- --test-threads=1
	$(call step,the footprint gate)
	$(MAKE) size-check SIZE_RUNTIMES=$(CI_SIZE_RUNTIMES) SIZE_ARIEL_BOARDS=$(CI_SIZE_ARIEL_BOARDS)
	# Needs a firmware the footprint gate has just built.
	$(CARGO) test --release --workspace --lib -- --ignored esp32c6
	$(call step,done)

# `make reproduce`: the paper's plotted runtimes in their current and
# paper-pinned versions (the catalog's CATALOG_PAPER_RUNTIMES), CoreMark and
# Embench 1.0, on the emulated boards, in every memory profile; then one
# page. Cells already in the results files are not run again.
REPRODUCE          ?= reproduce
REPRODUCE_BOARDS   ?= $(CATALOG_EMULATED_BOARDS)
REPRODUCE_PROFILES ?= $(CATALOG_PROFILES)
REPRODUCE_RUNTIMES ?= $(subst $(eval) ,$(comma),$(CATALOG_PAPER_RUNTIMES))
REPRODUCE_TIMEOUT  ?= 900
reproduce: setup ## the paper's Table I and Figures 1-6 ours beside its own, with agreement figures: runs what is missing into results/runs/, writes REPRODUCE/index.html [REPRODUCE_BOARDS=..] [REPRODUCE_PROFILES=..]
	@suites=$$(sed -n 's/^\(coremark\|embench\)=.*/\1/p' build/suites/sources.txt 2>/dev/null | paste -sd, -); \
	if [ -z "$$suites" ]; then \
	  echo "reproduce: CoreMark and Embench 1.0 are not built. Get them with"; \
	  echo "  make suites                                   (connected: downloads the pinned upstream revisions)"; \
	  echo "  make suites COREMARK_SRC=<coremark checkout> EMBENCH_SRC=<embench-iot checkout>   (offline)"; \
	  echo "then run make reproduce again. Reproducing what results/runs/ already holds."; \
	else \
	  n=0; total=$$(( $(words $(REPRODUCE_BOARDS)) * $(words $(REPRODUCE_PROFILES)) )); \
	  for p in $(REPRODUCE_PROFILES); do for b in $(REPRODUCE_BOARDS); do \
	    n=$$((n+1)); out=results/runs/$$b$$( [ $$p = default ] || echo -$$p ).jsonl; \
	    echo "reproduce [$$n/$$total]: $$b, profile $$p, $$suites -> $$out"; \
	    $(RUNNER) bench --board $$b --profile $$p --suite $$suites --runtime $(REPRODUCE_RUNTIMES) \
	      --timeout $(REPRODUCE_TIMEOUT) --out $$out || exit 1; \
	  done; done; \
	fi
	$(ANALYSIS) reproduce --out $(REPRODUCE) --paper $(PAPER) $$(ls results/runs/*.jsonl 2>/dev/null)

report: ## build the report from RESULTS (default results/runs/*.jsonl) into REPORT/ [BOARDS=b1,b2]
	$(ANALYSIS) report --out $(REPORT) --paper $(PAPER) $(if $(BOARDS),--boards $(BOARDS)) $(RESULTS)

compare: ## footprint gate: BASELINE=a.jsonl CURRENT=b.jsonl [THRESHOLD=1.0] [INSTRUCTIONS=1]
	@test -n "$(BASELINE)" -a -n "$(CURRENT)" || { echo "usage: make compare BASELINE=a.jsonl CURRENT=b.jsonl [THRESHOLD=1.0] [INSTRUCTIONS=1]"; exit 2; }
	$(ANALYSIS) compare --baseline $(BASELINE) --current $(CURRENT) --threshold $(THRESHOLD) $(if $(INSTRUCTIONS),--instructions)

clean: ## remove build outputs (not results)
	rm -rf build $(REPORT) $(REPRODUCE)
	$(CARGO) clean
