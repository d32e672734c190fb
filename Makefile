# The two commands of the README: `make run` and `make test`. Both install what
# is missing (Debian packages), configure and build; nothing else is needed.
BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc)
CONFIG     ?= config/csms.json

.PHONY: all deps configure build run test fuzz regen format clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCSMS_WERROR=ON > /dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@mkdir -p data
	./$(BUILD_DIR)/bin/csms --config $(CONFIG)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

# libFuzzer smoke run over the frame parser and every decoder (clang, ASan, UBSan).
FUZZ_SECONDS ?= 30
fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCSMS_FUZZ=ON -DCSMS_TESTS=OFF > /dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_ocpp
	bash scripts/fuzz-smoke.sh build-fuzz/bin/fuzz_ocpp $(FUZZ_SECONDS)

# Regenerate the OCPP message code from the official schemas (ocpp-rpc 2.2.1).
regen: build
	cmake --build $(BUILD_DIR) --target ocpp_regenerate

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-fuzz
