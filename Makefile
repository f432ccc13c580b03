# glovebox: plain Makefile (see docs/architecture.md).
# Variants live in their own build directories so a sanitizer build never mixes
# objects with the release build: build/release (default), build/asan and build/fuzz
# (libFuzzer targets, docs/fuzzing.md).

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build/release
SAN     ?=
V       ?=
Q       := $(if $(V),,@)

PKGS    := ncursesw formw panelw libcurl jansson libsecret-1 libedit
CC      ?= cc
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wwrite-strings -Werror
CFLAGS  ?= -O2 -g
ifeq ($(SAN),1)
CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
# libFuzzer needs clang: the libraries get the coverage hooks (fuzzer-no-link), only the
# target binaries link libFuzzer's main.
ifeq ($(SAN),fuzz)
override CC := $(FUZZ_CC)
CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
           -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=fuzzer,address,undefined
endif
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DGLOVEBOX_VERSION='"$(VERSION)"' $(WARN) $(CFLAGS) \
             $(shell pkg-config --cflags $(PKGS)) -I.
LIBS    = $(shell pkg-config --libs $(PKGS)) -lm
TESTLIBS = $(shell pkg-config --libs cmocka)

# The layers, bottom to top (docs/architecture.md; make layers checks the includes):
# api/base < api/engine < api/core < api/metrics < api/swarm, api/creds < widgets < tui/console | tui/cli.
API_SRC     := $(wildcard api/base/*.c api/engine/*.c api/core/*.c api/metrics/*.c api/swarm/*.c \
                          api/creds/*.c)
WIDGETS_SRC := $(wildcard widgets/*.c)
TUI_SRC     := $(wildcard tui/console/*.c tui/cli/*.c) tui/main.c
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_SUPPORT:= $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
FUZZ_SRC    := $(wildcard tests/fuzz/fuzz_*.c)

API_OBJ     := $(API_SRC:%.c=$(BUILD)/obj/%.o)
WIDGETS_OBJ := $(WIDGETS_SRC:%.c=$(BUILD)/obj/%.o)
TUI_OBJ     := $(TUI_SRC:%.c=$(BUILD)/obj/%.o)
SUPPORT_OBJ := $(UNIT_SUPPORT:%.c=$(BUILD)/obj/%.o)
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_BIN    := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/%)

.PHONY: all glovebox tests fixtures test asan fuzz fuzzers install uninstall clean deps analyze bench run layers
all: glovebox

glovebox: $(BUILD)/glovebox
ifeq ($(BUILD),build/release)
	@cp -f $(BUILD)/glovebox ./glovebox
endif

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libapi.a: $(API_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/libwidgets.a: $(WIDGETS_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/glovebox: $(TUI_OBJ) $(BUILD)/libwidgets.a $(BUILD)/libapi.a
	$(CC) $(LDFLAGS) -o $@ $(TUI_OBJ) $(BUILD)/libwidgets.a $(BUILD)/libapi.a $(LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(SUPPORT_OBJ) $(BUILD)/libwidgets.a $(BUILD)/libapi.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(SUPPORT_OBJ) $(BUILD)/libwidgets.a $(BUILD)/libapi.a $(LIBS) $(TESTLIBS)

# Helpers for tests: the load program goes into a FROM-scratch image, so it is static.
$(BUILD)/fixtures/load: tests/fixtures/load.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -o $@ $< -lpthread
$(BUILD)/fixtures/faultserver: tests/fixtures/faultserver.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# A static pattern rule, so that it wins over the unit tests' rule for the same directory.
$(FUZZ_BIN): $(BUILD)/tests/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/libwidgets.a $(BUILD)/libapi.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libwidgets.a $(BUILD)/libapi.a $(LIBS)

tests: glovebox $(UNIT_BIN)
fixtures: $(BUILD)/fixtures/load $(BUILD)/fixtures/faultserver

# The fuzz targets, built in build/fuzz whatever BUILD says.
ifeq ($(SAN),fuzz)
fuzzers: $(FUZZ_BIN)
else
fuzzers:
	$(MAKE) BUILD=build/fuzz SAN=fuzz fuzzers
endif

# The one test command: unit tests (release and sanitizers), fuzz targets (10 s each),
# integration and screen tests.
test:
	$(MAKE) layers
	$(MAKE) tests fixtures
	$(MAKE) BUILD=build/asan SAN=1 tests
	$(MAKE) fuzzers
	tests/run.sh

asan:
	$(MAKE) BUILD=build/asan SAN=1 tests
	GB_BUILDS=build/asan tests/run.sh unit

# Every fuzz target for FUZZ_SECONDS, after its regression inputs; fails on any crash.
fuzz: fuzzers
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run.sh fuzz

# No include may run against the layer order.
layers:
	@tests/layers.sh

analyze:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --std=c11 --inline-suppr -I. api widgets tui

bench: glovebox fixtures
	bench/run.sh

deps:
	bash tests/deps.sh

run: glovebox
	tests/engine/demo.sh

install: glovebox
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/glovebox $(DESTDIR)$(PREFIX)/bin/glovebox
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/glovebox

clean:
	rm -rf build glovebox

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
