# squish — front door. Every target works as the first command on a fresh
# Debian 12 machine: missing tools are installed by scripts/setup-deps.sh.
#
#   make sim        build and run every block's showcase, print a summary
#   make test       the whole regression (ctest -j2): sw, RTL, lint, synth, fuzz replay
#   make lint       verilator --lint-only -Wall, each module as its own top
#   make synth      Yosys + OpenSTA (OSU 0.18um) + synth_xilinx -> build/reports/ppa.{md,json}
#                   (JOBS modules in parallel, cached in build/synth-cache)
#   make layout TOP=<module>  qflow place & route to GDS -> build/reports/layout/<module>/
#   make power      gate-level activity -> OpenSTA power -> build/reports/bench/energy.json
#   make waves TEST=Suite.Test   rerun one RTL test with an FST trace, open GTKWave
#   make coverage   Verilator coverage of the RTL suites -> build/coverage/html
#   make bench      benchmarks -> build/reports/bench.{md,json}
#   make regress    long sweeps (many seeds) beyond `make test`; SEEDS=N SHARD=i/N JUNIT_DIR=DIR
#   make mutate     mutation testing of the testbenches -> build/reports/mutate.md (MUTATE_FILTER=regex)
#   make fuzz       libFuzzer (clang) runs of every fuzz target, FUZZ_SECONDS each
#   make clean

BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_J  ?= 2
STAMP    := $(BUILD)/.deps-ok
CMAKE_FLAGS ?=

.PHONY: all deps sim test lint synth layout power waves coverage bench regress fuzz mutate clean configure build

all: build

# Run the setup script when a tool is missing; the stamp keeps later runs cheap.
$(STAMP): scripts/setup-deps.sh
	@mkdir -p $(BUILD)
	@if ! scripts/setup-deps.sh --check >/dev/null 2>&1; then scripts/setup-deps.sh; fi
	@touch $@
deps: $(STAMP)

$(BUILD)/CMakeCache.txt: $(STAMP)
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
configure: $(BUILD)/CMakeCache.txt

# A second pass only if the first fails: when an RTL change alters the files
# Verilator writes for a model, the first pass still compiles the old file list
# (CMake re-reads the list Verilator regenerated on the next pass), which shows
# up as undefined references at link time.
build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) || { echo "build: second pass (Verilator's generated file list changed)"; cmake --build $(BUILD) -j $(JOBS); }

sim: build
	@scripts/sim.sh $(BUILD)

# Fixed seeds for everything, then the RTL suites again under fresh seeds
# (SQUISH_RUN_SEED, drawn here and printed; a failure prints its REPLAY line).
ifeq ($(origin RUN_SEED),undefined)
RUN_SEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif
test: build
	cd $(BUILD) && ctest -j $(CTEST_J) -LE regress --output-on-failure
	@echo "=== fresh seeds: SQUISH_RUN_SEED=$(RUN_SEED) (make test RUN_SEED=$(RUN_SEED) repeats this pass)"
	cd $(BUILD) && SQUISH_RUN_SEED=$(RUN_SEED) ctest -j $(CTEST_J) -L rtl -LE regress --output-on-failure

lint: $(STAMP)
	@scripts/lint.sh

synth: $(STAMP)
	@JOBS=$(JOBS) scripts/synth.sh $(BUILD)/reports

TOP ?= fifo_sync
layout: $(STAMP)
	@scripts/layout.sh $(TOP) $(BUILD)/reports

power: $(STAMP)
	@scripts/power.sh $(BUILD)/reports

waves: build
	@scripts/waves.sh $(BUILD) "$(TEST)"

coverage: $(STAMP)
	@scripts/coverage.sh $(BUILD)-cov

bench: build
	@scripts/bench.sh $(BUILD)

# make regress [SEEDS=N] [SEED_FROM=K] [SHARD=i/N] [JUNIT_DIR=DIR]; merge: scripts/regress.sh --merge DIR
regress: build
	@SEEDS="$(SEEDS)" SEED_FROM="$(SEED_FROM)" SHARD="$(SHARD)" JUNIT_DIR="$(JUNIT_DIR)" scripts/regress.sh $(BUILD)

mutate: build
	@scripts/mutate.sh $(BUILD) "$(MUTATE_FILTER)"

fuzz: $(STAMP)
	@scripts/fuzz.sh $(BUILD)-fuzz $${FUZZ_SECONDS:-60}

clean:
	rm -rf $(BUILD) $(BUILD)-cov $(BUILD)-fuzz
