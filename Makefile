# vmbench build. `make` builds ./vmbench and the static ./vmbench-agent;
# `make check` runs every test; `make demo` runs the quickstart experiment.
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wno-missing-field-initializers
# Recursive (=) so that pkg-config runs when a recipe needs it, after
# `make deps` may have installed the libraries in the same invocation.
CPPFLAGS += -std=c11 -D_GNU_SOURCE -Isrc
# LDLIBS_HOST and AGENT_LIBS: one list for this Makefile and fuzz/Makefile
include mk/libs.mk
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
BUILD   ?= build

LIB_SRC   := $(filter-out src/cli/% src/agent/%,$(wildcard src/*/*.c))
CLI_SRC   := $(wildcard src/cli/*.c)
AGENT_SRC := $(wildcard src/agent/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
AGENT_OBJ := $(AGENT_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# every fuzz/fuzz_NAME.c, built with fuzz/replay.c as main() (no clang)
FUZZ_SRC  := $(wildcard fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz-replay/%)

all: vmbench vmbench-agent

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -DVB_VERSION='"$(VERSION)"' -MMD -MP -c -o $@ $<

$(BUILD)/libvb.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

vmbench: $(CLI_OBJ) $(BUILD)/libvb.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libvb.a $(LDLIBS_HOST)

# The agent is static so that the same binary runs natively, in a container
# root and as /init of the built-in guest.
vmbench-agent: $(AGENT_OBJ) $(BUILD)/libvb.a
	$(CC) $(CFLAGS) $(LDFLAGS) -static -o $@ $(AGENT_OBJ) $(BUILD)/libvb.a $(AGENT_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libvb.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -Itests/unit -o $@ $< $(BUILD)/libvb.a $(LDLIBS_HOST) -lcmocka

unit: $(UNIT_BIN)

# The fuzz harnesses as plain programs that run each file given once: `make
# check` replays fuzz/corpus/NAME and fuzz/regressions/NAME through them.
$(BUILD)/fuzz-replay/%: fuzz/%.c fuzz/replay.c $(BUILD)/libvb.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(WARN) -o $@ $< fuzz/replay.c $(BUILD)/libvb.a $(LDLIBS_HOST)

fuzz-replay: $(FUZZ_REPLAY)

# Installation: `make install PREFIX=/usr/local DESTDIR=...`. The binary
# looks for the agent beside itself, then in LIBEXECDIR, which is compiled
# into it (the stamp rebuilds that file when the path changes).
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBEXECDIR  ?= $(PREFIX)/libexec/vmbench
DATADIR     ?= $(PREFIX)/share/vmbench
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
MAN_PAGES   := $(BUILD)/man/vmbench.1 $(BUILD)/man/vmbench-plan.5

$(BUILD)/libexecdir.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(LIBEXECDIR)' | cmp -s - $@ || echo '$(LIBEXECDIR)' >$@
$(BUILD)/src/targets/registry.o: $(BUILD)/libexecdir.stamp
$(BUILD)/src/targets/registry.o: CPPFLAGS += -DVB_LIBEXECDIR='"$(LIBEXECDIR)"'

# The manual pages are generated from the option tables by the binary itself.
$(BUILD)/man/vmbench.1: vmbench
	@mkdir -p $(dir $@)
	./vmbench help --man 1 >$@.tmp && mv $@.tmp $@
$(BUILD)/man/vmbench-plan.5: vmbench
	@mkdir -p $(dir $@)
	./vmbench help --man 5 >$@.tmp && mv $@.tmp $@
man: $(MAN_PAGES)

install: all man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DATADIR)/examples
	install -m 755 vmbench $(DESTDIR)$(BINDIR)/vmbench
	install -m 755 vmbench-agent $(DESTDIR)$(LIBEXECDIR)/vmbench-agent
	install -m 644 $(BUILD)/man/vmbench.1 $(DESTDIR)$(MANDIR)/man1/vmbench.1
	install -m 644 $(BUILD)/man/vmbench-plan.5 $(DESTDIR)$(MANDIR)/man5/vmbench-plan.5
	install -m 644 completion/vmbench.bash $(DESTDIR)$(BASHCOMPDIR)/vmbench
	install -m 644 examples/*.ini $(DESTDIR)$(DATADIR)/examples/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vmbench $(DESTDIR)$(LIBEXECDIR)/vmbench-agent \
		$(DESTDIR)$(MANDIR)/man1/vmbench.1 $(DESTDIR)$(MANDIR)/man5/vmbench-plan.5 \
		$(DESTDIR)$(BASHCOMPDIR)/vmbench
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/examples/,$(notdir $(wildcard examples/*.ini)))
	-rmdir $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR)/examples $(DESTDIR)$(DATADIR) 2>/dev/null

# Runs unit tests, the fuzz corpus replay, golden and end-to-end tests;
# ends with "N passed, N failed".
check: all unit fuzz-replay
	@tests/run-all.sh $(UNIT_BIN) $(FUZZ_REPLAY)

# The slow end-to-end tests (tests/e2e/sNNNN-*.sh: a cloud image built and
# booted, several TCG guests through libvirt), kept out of `make check` so that
# it stays under about 20 minutes on two cores; CI runs both.
check-slow: all
	@SLOW=1 E2E_TIMEOUT=$${E2E_TIMEOUT:-1500} tests/run-all.sh

# Dependencies of a fresh Debian 12 machine (needs root).
deps:
	@tests/install-deps.sh

demo: all
	@examples/demo.sh

# ASan/UBSan build of everything and the test suite.
# (only the unit tests and the fuzz corpus replay: the top-level binaries
# stay the normal build)
asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" build-asan-unit
build-asan-unit: $(UNIT_BIN) $(FUZZ_REPLAY)
	@for t in $(UNIT_BIN); do $$t || exit 1; done
	@E2E=none tests/run-all.sh $(FUZZ_REPLAY)

# Coverage-guided fuzzing of the parsers (clang's libFuzzer): builds every
# harness; fuzz/run.sh runs them.
fuzz:
	$(MAKE) -C fuzz

format:
	clang-format -i $(wildcard src/*/*.c src/*/*.h tests/unit/*.c)

clean:
	rm -rf build build-asan vmbench vmbench-agent

.PHONY: all unit fuzz-replay check check-slow deps demo asan build-asan-unit fuzz format clean \
	man install uninstall FORCE
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(AGENT_OBJ:.o=.d)
