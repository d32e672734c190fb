# The two commands of the README: `make run` and `make test`. Both install what
# is missing (Debian packages), configure and build; nothing else is needed.
BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc)
CONFIG     ?= config/csms.json

FUZZ_DIR   ?= build-fuzz
FUZZ_BIN   := $(abspath $(FUZZ_DIR))/bin/fuzz_ocpp

.PHONY: all deps configure build apps install run test test-deps fuzz fuzz-build regen format clean \
        bench bench-quick bench-deps bench-carbon bench-energy bench-storage bench-cluster console console-screenshots \
        asan tsan tidy

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCSMS_WERROR=ON \
	  -DCSMS_FUZZ_BINARY=$(FUZZ_BIN) > /dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The three executables only (no tests): what `make run` needs.
apps: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target csms csmsctl ocpp-sim

# Installs into /usr/local (binaries), /etc/csms/csms.json (kept when present)
# and the systemd unit: docs/operations.md. PREFIX and DESTDIR as usual.
PREFIX ?= /usr/local
install: build
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_INSTALL_PREFIX=$(PREFIX) > /dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	cmake --install $(BUILD_DIR)

run: apps
	@mkdir -p data
	./$(BUILD_DIR)/bin/csms --config $(CONFIG)

# The suite includes a short fuzz smoke run, so the fuzzer is built too, and
# the console's browser test, so Debian's chromium is installed.
test-deps:
	@bash scripts/install-deps.sh chromium

test: test-deps build fuzz-build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

# libFuzzer over the frame parser and every decoder (clang, ASan, UBSan), in its
# own build tree.
FUZZ_SECONDS ?= 30
fuzz-build: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCSMS_FUZZ=ON -DCSMS_TESTS=OFF -DCSMS_WERROR=ON > /dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_ocpp

fuzz: fuzz-build
	bash scripts/fuzz-smoke.sh $(FUZZ_BIN) --seconds $(FUZZ_SECONDS)

# Regenerate the OCPP message code from the official schemas (ocpp-rpc 2.2.1,
# installed with npm ci into the build tree: needs the npm registry).
regen: configure
	cmake --build $(BUILD_DIR) --target ocpp_regenerate

# The same fleet load against csms and a reference server on ocpp-rpc
# (bench/README.md): results in bench/results/ (about 35 minutes: three meter
# fleets, csms on SQLite and on a throwaway PostgreSQL cluster);
# bench-quick: smaller sizes in about two minutes, into bench/results/quick/.
bench-deps:
	@bash scripts/install-deps.sh gnuplot-nox iproute2

bench: build bench-deps bench-carbon bench-energy bench-storage bench-cluster
	BUILD_DIR=$(BUILD_DIR) bash bench/run.sh --db sqlite,postgres

# Three csms nodes on PostgreSQL behind HAProxy under faults (the long version
# of the suite's cluster test), then durable meter values/s of 1 node vs 3
# (bench/results/cluster.md, about 10 minutes).
bench-cluster: build
	python3 tests/cluster/fault_test.py --long --bin $(BUILD_DIR)/bin --out bench/results/cluster.md

# The cost of carbon records per session (bench/results/carbon.md), seconds.
bench-carbon: build
	@cmake --build $(BUILD_DIR) --target bench_carbon
	./$(BUILD_DIR)/bin/bench_carbon --sessions 2000 --out bench/results/carbon.md

# Bytes per meter sample and message-log frame, rollups, the week budget of
# 10,000 stations (bench/results/storage.md); PostgreSQL too with
# BENCH_PG_URL=postgresql://...
bench-storage: build
	@cmake --build $(BUILD_DIR) --target bench_storage
	./$(BUILD_DIR)/bin/bench_storage --messages 20000 --out bench/results/storage-table.md \
	  $(if $(BENCH_PG_URL),--pg-url $(BENCH_PG_URL))

# The energy controller's goals G1-G8 on a simulated site (bench/results/energy.md).
bench-energy: build
	@cmake --build $(BUILD_DIR) --target bench_energy_goals
	./$(BUILD_DIR)/bin/bench_energy_goals --out bench/results/energy.md

bench-quick: build bench-deps
	BUILD_DIR=$(BUILD_DIR) bash bench/run.sh --quick --db sqlite,postgres

# The console (console/src -> console/dist, committed; csms embeds dist/ at
# build time). Needs the npm registry; a normal build does not.
console:
	cd console && npm ci --no-audit --no-fund && node build.mjs

# Screenshots of the console's main pages into docs/console/, made by the
# browser test against a csms with simulated stations.
console-screenshots: test-deps build
	@cmake --build $(BUILD_DIR) --target browser_test_deps
	node tests/browser/console.test.mjs --modules $(BUILD_DIR)/browser-tests/node_modules \
	  --bin $(BUILD_DIR)/bin --screenshots docs/console

# The unit and end-to-end tests (csms, csmsctl and ocpp-sim too) built with
# ASan+UBSan or TSan, each in its own tree, and run there. Not part of `make
# test`: each is a full build of its own (bench/results/results.md, "Build time").
SAN_TESTS   ?= ^(ocpp|storage|csms|simulator|e2e)/
SAN_TARGETS := unit_ocpp unit_storage unit_csms unit_simulator e2e
ASAN_DIR    ?= build-asan
TSAN_DIR    ?= build-tsan
asan: deps
	@cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCSMS_WERROR=ON \
	  -DCSMS_SANITIZE=address,undefined > /dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS) --target $(SAN_TARGETS)
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$(CURDIR)/tests/fuzz/ubsan.supp \
	  ctest -R '$(SAN_TESTS)' --output-on-failure -j $(JOBS) --timeout 900

tsan: deps
	@cmake -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCSMS_WERROR=ON \
	  -DCSMS_SANITIZE=thread -DCMAKE_CXX_FLAGS=-Wno-tsan > /dev/null
	@cmake --build $(TSAN_DIR) -j $(JOBS) --target $(SAN_TARGETS)
	cd $(TSAN_DIR) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest -R '$(SAN_TESTS)' --output-on-failure -j $(JOBS) --timeout 900

# clang-tidy (.clang-tidy: bugprone-*, performance-*) over our sources, from a
# configure-only tree without precompiled headers (clang cannot read gcc's);
# the generated message code is left out. Prints the findings and their count.
TIDY_DIR ?= build-tidy
tidy: deps
	@cmake -S . -B $(TIDY_DIR) -DCSMS_PCH=OFF > /dev/null
	@run-clang-tidy -quiet -j $(JOBS) -p $(TIDY_DIR) \
	  '^$(CURDIR)/(csms|simulator|storage|tests|bench|ocpp/src/(common|ocmf|sunspec))/' \
	  2>/dev/null | tee $(TIDY_DIR)/tidy.log | grep -E 'warning:|error:' || true
	@echo "tidy: $$(grep -cE ' (warning|error): .*\[' $(TIDY_DIR)/tidy.log) findings ($(TIDY_DIR)/tidy.log)"

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR) $(ASAN_DIR) $(TSAN_DIR)
