# Front door for people: every target bootstraps, configures and builds as needed.
#   make            build everything into build/
#   make test       run every test (SANITIZE=1: ASan+UBSan build in build-asan/)
#   make run        start battd on the default machine and print battery status
#   make bench      run the benchmarks (one "BENCH name value" line per figure)
#   make memcheck   run the host tests under valgrind
#   make windows    build the drivers as Windows x64 .sys images into build-windows/
#   make install PREFIX=DIR
#   make deb        build the Debian packages into build-deb/ (lintian-checked)
PREFIX ?= /usr/local
JOBS   ?= $(shell nproc)
ifeq ($(SANITIZE),1)
BUILD  ?= build-asan
CMAKE_FLAGS += -DBATTKIT_SANITIZE=ON
else
BUILD  ?= build
endif

.PHONY: all bootstrap configure test run bench memcheck windows deb install clean format
all: configure
	cmake --build $(BUILD) -j$(JOBS)

bootstrap:
	@bash scripts/bootstrap.sh

configure: bootstrap
	@[ -f $(BUILD)/CMakeCache.txt ] || cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null

test: all
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

run: all
	@bash scripts/run.sh $(BUILD)

bench: all
	@bash scripts/bench.sh $(BUILD)

memcheck: all
	@bash scripts/memcheck.sh $(BUILD)

windows: bootstrap
	@bash scripts/build-windows.sh build-windows

deb: bootstrap
	@bash scripts/debian-package.sh --no-install

install: configure
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)
	cmake --install $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-windows build-deb
