# The libraries vmbench links against, in one place: the top-level Makefile
# (./vmbench, the unit tests) and fuzz/Makefile (the libFuzzer harnesses and
# the corpus replay) both include this file, so a library that a new source
# file needs is added here once and every binary gets it.
#
# LDLIBS_HOST: everything in build/libvb.a may need these (the host binary,
#              the unit tests, the fuzzers).
# AGENT_LIBS:  the static ./vmbench-agent (it links only the agent's share
#              of libvb.a: no SQLite, GSL or libarchive).
# PKGS_HOST:   the pkg-config names whose --cflags the fuzz build adds.
LDLIBS_HOST := -lnl-route-3 -lnl-3 -lsqlite3 -ljansson -luring -laio -lhttp_parser -lgsl -lgslcblas -larchive -llzma -lzstd -lz -lpthread -lm
# target=libvirt (src/targets/libvirt*.c): the libvirt C API
LDLIBS_HOST += -lvirt
AGENT_LIBS  := -lnl-route-3 -lnl-3 -luring -laio -ljansson -lhttp_parser -lz -lpthread -lm
PKGS_HOST   := sqlite3 jansson liburing libarchive libnl-route-3.0
PKGS_HOST   += libvirt
# libnl's headers live in their own directory (src/net/nl.c includes them)
CPPFLAGS    += -I/usr/include/libnl3

