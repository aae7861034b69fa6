# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey — front end to CMake. The README's two commands: `make demo` and `make test`.
#   make demo      install what is missing, build, run the main job against a locked twin
#   make test      install what is missing, build with sanitizers, run every test and short fuzz runs
#   make build     release build in build/release
#   make install PREFIX=/usr/local
#   make fuzz      long fuzz runs (FUZZ_SECONDS per harness, default 600)
#   make bench     benchmarks (ratios to the physical ceiling and to peers)
#   make fixtures  rebuild the test firmware fixtures with arm-none-eabi-gcc
PREFIX ?= /usr/local
JOBS ?= 2
FUZZ_SECONDS ?= 600
CMAKE ?= cmake
REL := build/release
TST := build/test
FUZ := build/fuzz

.PHONY: all build demo test test-unit fuzz bench install fixtures clean deps deps-test

all: build

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

$(REL)/CMakeCache.txt:
	$(CMAKE) -S . -B $(REL) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFK_WERROR=ON -DBUILD_TESTING=OFF \
	  -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: deps $(REL)/CMakeCache.txt
	$(CMAKE) --build $(REL) -j$(JOBS)

demo: build
	@scripts/demo.sh $(REL)

$(TST)/CMakeCache.txt:
	$(CMAKE) -S . -B $(TST) -DCMAKE_BUILD_TYPE=Debug -DFK_WERROR=ON -DFK_SANITIZE=ON -DBUILD_TESTING=ON

$(FUZ)/CMakeCache.txt:
	CC=clang $(CMAKE) -S . -B $(FUZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFK_FUZZ=ON -DBUILD_TESTING=OFF

# The release build (gcc -O2 -Werror: flow warnings the -O0 test build cannot see) is part of test.
test: deps-test build $(TST)/CMakeCache.txt $(FUZ)/CMakeCache.txt
	$(CMAKE) --build $(TST) -j$(JOBS)
	$(CMAKE) --build $(FUZ) -j$(JOBS)
	@scripts/run-tests.sh $(TST) $(FUZ)

# Unit/scenario tests only, no fuzzing (quick iteration).
test-unit: deps-test $(TST)/CMakeCache.txt
	$(CMAKE) --build $(TST) -j$(JOBS)
	cd $(TST) && ctest -j$(JOBS) --output-on-failure

fuzz: deps-test $(FUZ)/CMakeCache.txt
	$(CMAKE) --build $(FUZ) -j$(JOBS)
	FK_FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/run-fuzz.sh $(FUZ)

bench: build
	@scripts/run-bench.sh $(REL)

install: build
	$(CMAKE) --install $(REL) --prefix $(PREFIX)

fixtures:
	$(MAKE) -C tests/fixtures

clean:
	rm -rf build
