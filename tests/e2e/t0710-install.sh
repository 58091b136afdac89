#!/usr/bin/env bash
# make install / uninstall into a DESTDIR: the binary, the agent in
# LIBEXECDIR (whose path is compiled into the binary), vmbench(1) and
# vmbench-plan(5) generated from the option tables (every command and every
# plan key, rendered by man without warnings), bash completion (commands,
# options, target and workload names, plan keys and their values, peer
# spellings), the examples; uninstall leaves nothing. `vmbench help`.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require make man groff

R=$T/root
P=/usr/local
# a make of its own, not the jobserver of a `make check` around this test
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS timeout 300 make -s -C "$SRC_ROOT" install DESTDIR="$R" \
	PREFIX=$P >"$T/make.out" 2>&1
is "$?" 0 "make install DESTDIR=... exits 0"
for f in bin/vmbench libexec/vmbench/vmbench-agent share/man/man1/vmbench.1 \
	share/man/man5/vmbench-plan.5 share/bash-completion/completions/vmbench \
	share/vmbench/examples/quickstart.ini; do
	ok_if "installed: $P/$f" [ -s "$R$P/$f" ]
done
ok_if "the binary and the agent are executable" [ -x "$R$P/bin/vmbench" ] && [ -x "$R$P/libexec/vmbench/vmbench-agent" ]

# the binary looks for the agent in the LIBEXECDIR it was built for
mkdir -p "$T/alone"
cp "$R$P/bin/vmbench" "$T/alone/vmbench"
env -u VMBENCH_AGENT timeout 20 "$T/alone/vmbench" run -q -w cpu --set time=100ms --db "$T/db" \
	>/dev/null 2>"$T/err"
if [ -x "$P/libexec/vmbench/vmbench-agent" ]; then
	skip "the compiled-in agent path" "an agent is installed in $P/libexec/vmbench on this host"
else
	like "$(cat "$T/err")" "'$P/libexec/vmbench/vmbench-agent'" \
		"without an agent beside it, the binary looks in $P/libexec/vmbench"
fi

# man pages: they render, and hold every command and every plan key
M1=$R$P/share/man/man1/vmbench.1
M5=$R$P/share/man/man5/vmbench-plan.5
is "$(groff -man -Tutf8 -ww -z "$M1" 2>&1 | head -3)" "" "vmbench(1) renders without warnings"
is "$(groff -man -Tutf8 -ww -z "$M5" 2>&1 | head -3)" "" "vmbench-plan(5) renders without warnings"
TXT1=$(MANWIDTH=100 man -l "$M1" 2>/dev/null)
TXT5=$(MANWIDTH=100 man -l "$M5" 2>/dev/null)
like "$TXT1" "VMBENCH\\(1\\)" "man vmbench renders"
missing=""
for c in $("$VMBENCH" help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'); do
	grep -q "^   $c" <<<"$TXT1" || missing="$missing $c"
done
is "$missing" "" "vmbench(1) has a section for every command"
like "$TXT1" "usage: vmbench tune" "... with each command's own usage"
missing=""
for k in $("$VMBENCH" list plan | awk 'NR > 1 && /^  [a-z]/ {print $1}') file-test-mode cpu-max-prime \
	ioengine objective constraint count; do
	grep -q -- "$k" <<<"$TXT5" || missing="$missing $k"
done
is "$missing" "" "vmbench-plan(5) has every [experiment] key, the peers' names, [tune] and [density]"
for t in native container qemu; do
	like "$TXT5" "target = $t" "vmbench-plan(5) lists the keys of target $t"
done

# completion, from the installed script and binary
comp()
{
	PATH="$R$P/bin:$PATH" bash -c '. "$1"; COMP_LINE=$2; COMP_POINT=${#COMP_LINE}; _vmbench;
		printf "%s\n" "${COMPREPLY[@]}"' _ "$R$P/share/bash-completion/completions/vmbench" "$1"
}
is "$(comp 'vmbench tu')" "tune" "completion: a command"
is "$(comp 'vmbench run -t cont')" "container" "completion: a target name"
is "$(comp 'vmbench run -w fil')" "fileio" "completion: a workload name"
is "$(comp 'vmbench run -w fileio --set file-test-m')" "file-test-mode=" "completion: a peer's key"
is "$(comp 'vmbench run -w fileio --set mode=rndr' | tr '\n' ' ')" "rndrd rndrw " \
	"completion: an enum's values after '='"
# readline replaces what follows the last '=': the candidate starts there
is "$(comp 'vmbench run -t qemu -T cache=none,ai')" "none,aio=" "completion: the next key of a list"
like "$(comp 'vmbench report --')" "--baseline" "completion: a command's long options"
is "$(comp 'vmbench tune -s bud')" "budget=" "completion: [tune] keys"

# help
vb help run
is "$RC" 0 "vmbench help run exits 0"
like "$OUT" "usage: vmbench run" "... and is run's usage"
vb help --man 3
is "$RC" 2 "help --man 3: exit 2"
like "$ERR" "help --man takes 1 \\(vmbench\\) or 5 \\(vmbench-plan\\)" "... saying what it takes"

env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS timeout 120 make -s -C "$SRC_ROOT" uninstall DESTDIR="$R" \
	PREFIX=$P >"$T/make.out" 2>&1
is "$?" 0 "make uninstall exits 0"
is "$(find "$R" -type f | head -5)" "" "uninstall leaves no file"

done_testing
