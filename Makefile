# libgridflow - build, test, demo, bench.
#
#   make            libgridflow.so, libgridflow.a and the gridflow tool
#   make check      every test (installs missing Debian packages first)
#   make demo       replays a sample day for Suzhou on the journal store
#   make bench      throughput against json-c, side by side
#   make install    PREFIX=/usr/local DESTDIR=
#
# Developer build: warnings are errors. SAN=1 builds with ASan+UBSan.

CC      ?= cc
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
BUILD   ?= build
SHARED  ?= $(abspath ../shared)
PYTHON  ?= python3

# The version has one source: include/gridflow/common.h.
ver = $(shell sed -n 's/^\#define GF_VERSION_$(1) \([0-9]*\)$$/\1/p' include/gridflow/common.h)
MAJOR := $(call ver,MAJOR)
MINOR := $(call ver,MINOR)
PATCH := $(call ver,PATCH)
VERSION := $(MAJOR).$(MINOR).$(PATCH)

DEPS_CFLAGS := $(shell pkg-config --cflags json-c libpq 2>/dev/null)
DEPS_LIBS   := $(shell pkg-config --libs json-c libpq 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

WARN    := -Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-sign-conversion -Werror
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
           $(WARN) $(CFLAGS) -Iinclude -Ilib $(DEPS_CFLAGS)
LDLIBS  := $(DEPS_LIBS) -lm

ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC := $(sort $(wildcard lib/*.c))
LIB_OBJ := $(LIB_SRC:lib/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/migrations.o
# The PostgreSQL schema's migrations, in order, compiled in.
MIGRATIONS := $(sort $(wildcard sql/[0-9][0-9][0-9]_*.sql))
HEADERS := $(wildcard include/*.h include/gridflow/*.h lib/*.h)

SONAME  := libgridflow.so.$(MAJOR)
SOLIB   := $(BUILD)/libgridflow.so.$(VERSION)
ALIB    := $(BUILD)/libgridflow.a
TOOL    := $(BUILD)/gridflow

TEST_SRC := $(sort $(wildcard test/check_*.c))
TESTS    := $(TEST_SRC:test/%.c=$(BUILD)/test/%)
# Tests that use only the public API run against the shared library too.
PUBLIC_TESTS := check_api check_clock check_dedup check_engine check_order \
                check_quarantine check_routing check_store check_hostile \
                check_durable check_pg check_pgtables check_pgcommit \
                check_pgoom
SHARED_TESTS := $(PUBLIC_TESTS:%=$(BUILD)/test/shared/%)

.PHONY: eval all lib tool deps check test-unit test-shared test-headers \
        test-symbols test-install test-crash test-crash-pg test-cli test-asan \
        test-valgrind \
        demo demo-pg bench install uninstall clean example-config example-data

all: lib tool

lib: $(SOLIB) $(ALIB)
tool: $(TOOL)

$(BUILD)/obj/%.o: lib/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(BUILD)/gen/migrations.c: $(MIGRATIONS) tools/embedsql.sh
	@mkdir -p $(dir $@)
	tools/embedsql.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/migrations.o: $(BUILD)/gen/migrations.c lib/migrations.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(ALIB): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(SOLIB): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined $(LDFLAGS) \
	    -o $@ $^ $(LDLIBS)
	ln -sf libgridflow.so.$(VERSION) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libgridflow.so

$(TOOL): examples/gridflow.c $(ALIB) $(HEADERS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(ALIB) $(LDLIBS)

TEST_HEADERS := $(wildcard test/*.h)

$(BUILD)/test/%: test/%.c $(TEST_HEADERS) $(ALIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -DGF_TEST_SHARED_DIR='"$(SHARED)"' \
	    $(LDFLAGS) -o $@ $< $(ALIB) $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/test/shared/%: test/%.c $(TEST_HEADERS) $(SOLIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -DGF_TEST_SHARED_DIR='"$(SHARED)"' \
	    $(LDFLAGS) -o $@ $< -L$(BUILD) -lgridflow \
	    -Wl,-rpath,$(abspath $(BUILD)) $(CHECK_LIBS) $(LDLIBS)

# ---- example configuration and data (generated from ../shared) -------

EXAMPLE_CONFIG := examples/config/directory.json
EXAMPLE_DAY    := examples/data/suzhou-day.ndjson

example-config: $(EXAMPLE_CONFIG)
example-data: $(EXAMPLE_DAY)

$(EXAMPLE_CONFIG): tools/mkdirectory.py
	$(PYTHON) tools/mkdirectory.py --shared $(SHARED) --out $@

$(EXAMPLE_DAY): tools/gendemo.py tools/suzhou_routing.py $(EXAMPLE_CONFIG) \
		examples/config/rules.json
	$(PYTHON) tools/gendemo.py --config examples/config --out $@

# ---- set-up -----------------------------------------------------------

deps:
	@tools/deps.sh

# ---- tests ------------------------------------------------------------

check: deps
	$(MAKE) all $(TESTS) $(SHARED_TESTS) example-config example-data
	@test/check.sh "$(MAKE)" $(BUILD)

test-unit: $(TESTS) $(EXAMPLE_CONFIG)
	@test/run.sh $(TESTS)

test-shared: $(SHARED_TESTS) $(EXAMPLE_CONFIG)
	@test/run.sh $(SHARED_TESTS)

test-headers:
	@test/headers.sh "$(CC)"

test-symbols: $(SOLIB)
	@test/symbols.sh $(SOLIB)

test-install: all
	@test/install.sh "$(BUILD)"

test-crash: $(TOOL) $(EXAMPLE_CONFIG) $(EXAMPLE_DAY)
	@test/crash.sh $(TOOL) examples/config $(EXAMPLE_DAY)

# crash, server restart and partition takeover on PostgreSQL
test-crash-pg: $(TOOL) $(BUILD)/test/takeover $(EXAMPLE_CONFIG) $(EXAMPLE_DAY)
	@test/crash_pg.sh $(TOOL) examples/config $(EXAMPLE_DAY) $(BUILD)

$(BUILD)/test/takeover: test/takeover.c $(ALIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(ALIB) $(LDLIBS)

test-cli: $(TOOL) $(EXAMPLE_CONFIG) $(EXAMPLE_DAY)
	@test/cli.sh $(TOOL) examples/config $(EXAMPLE_DAY)

test-asan: $(EXAMPLE_CONFIG)
	$(MAKE) BUILD=$(BUILD)/asan SAN=1 OPT=-O1 test-unit

test-valgrind: $(TESTS) $(EXAMPLE_CONFIG)
	@VALGRIND=1 test/run.sh $(TESTS)

# ---- demo and bench ----------------------------------------------------

demo: deps
	$(MAKE) all example-config example-data
	@tools/demo.sh $(TOOL) examples/config $(EXAMPLE_DAY) $(BUILD)

# the same day on a throwaway PostgreSQL server, and what a host reads
demo-pg: deps
	$(MAKE) all example-config example-data
	@tools/demo_pg.sh $(TOOL) examples/config $(EXAMPLE_DAY) $(BUILD)

bench: deps
	$(MAKE) all example-config example-data $(BUILD)/bench/ingest \
	    $(BUILD)/bench/route $(BUILD)/bench/timers $(BUILD)/bench/dedup \
	    $(BUILD)/bench/pg
	@bench/ingest.sh $(BUILD) $(EXAMPLE_DAY)
	@bench/route.sh $(BUILD) $(EXAMPLE_DAY)
	@bench/timers.sh $(BUILD)
	@$(BUILD)/bench/dedup examples/config 200000 3 100000,1000000
	@bench/pg.sh $(BUILD) $(EXAMPLE_DAY)

# make eval: deduplication quality on labelled and real data (issue 5):
# generated Suzhou duplicates, Boston 311 against a FixMyStreet-style
# baseline, and near-repeat groups of real Chinese messages
eval: deps
	$(MAKE) all example-config
	@python3 tools/eval_gen.py
	@python3 tools/eval_boston.py
	@python3 tools/eval_msgs.py

# the timer bench compares with libuv's timer heap: only it links libuv
$(BUILD)/bench/timers: bench/timers.c $(ALIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags libuv) $(LDFLAGS) \
	    -o $@ $< $(ALIB) $(shell pkg-config --libs libuv) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(ALIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(ALIB) $(LDLIBS)

# ---- install -------------------------------------------------------------

install: lib
	install -d $(DESTDIR)$(INCDIR)/gridflow $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 include/gridflow.h $(DESTDIR)$(INCDIR)/
	install -m 644 include/gridflow/*.h $(DESTDIR)$(INCDIR)/gridflow/
	install -m 644 $(ALIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SOLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libgridflow.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libgridflow.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCDIR@|$(INCDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    pkgconfig/gridflow.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/gridflow.pc

uninstall:
	rm -rf $(DESTDIR)$(INCDIR)/gridflow $(DESTDIR)$(INCDIR)/gridflow.h
	rm -f $(DESTDIR)$(LIBDIR)/libgridflow.* \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/gridflow.pc

clean:
	rm -rf $(BUILD)
