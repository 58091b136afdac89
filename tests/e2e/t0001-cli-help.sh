#!/usr/bin/env bash
# vmbench -h and every command's -h print a usage on stdout and exit 0: the
# commands are read from `vmbench -h` itself, so a new command without -h
# fails here; an alias ('show' for 'report') answers as its command does.
# Unknown commands and options are usage errors (exit 2) with a message.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

for h in -h --help help; do
	vb $h
	is "$RC" 0 "vmbench $h exits 0"
	like "$OUT" '^usage: vmbench COMMAND' "vmbench $h prints the usage on stdout"
done
vb -h
# the command list: "  NAME  what it does" lines after "commands:"
COMMANDS=$(printf '%s\n' "$OUT" | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
ok_if "vmbench -h lists 9 commands or more" [ "$(printf '%s\n' "$COMMANDS" | wc -l)" -ge 9 ]
for cmd in run report compare density list guest disk doctor version; do
	like "$COMMANDS" "^$cmd\$" "the usage lists the '$cmd' command"
done
unlike "$COMMANDS" '^show$' "'show' is not listed as a command of its own"
like "$OUT" "'show' is 'report'" "the usage says that 'show' is 'report'"

for cmd in $COMMANDS; do
	for h in -h --help; do
		vb "$cmd" $h
		is "$RC" 0 "vmbench $cmd $h exits 0"
		like "$OUT" "^usage: vmbench $cmd" "vmbench $cmd $h prints its usage on stdout"
	done
done
vb show -h
is "$RC" 0 "vmbench show -h (the alias) exits 0"
like "$OUT" '^usage: vmbench report' "vmbench show -h prints the usage of report"

vb run -h
like "$OUT" '--db PATH' "run -h documents --db"
like "$OUT" 'exit codes' "run -h documents the exit codes"

vb
is "$RC" 2 "vmbench without a command exits 2"
like "$ERR" '^usage: vmbench' "vmbench without a command prints the usage on stderr"

vb frobnicate
is "$RC" 2 "an unknown command exits 2"
like "$ERR" "unknown command 'frobnicate'" "an unknown command is named on stderr"
is "$OUT" "" "an unknown command prints nothing on stdout"

vb run --no-such-flag
is "$RC" 2 "an unknown option of run exits 2"
like "$ERR" 'no-such-flag' "the unknown option is named on stderr"

vb show --no-such-flag
is "$RC" 2 "an unknown option of show exits 2"

vb list no-such-list
is "$RC" 2 "vmbench list with an unknown list exits 2"
like "$ERR" "unknown list 'no-such-list'" "the unknown list is named"

vb version
is "$RC" 0 "vmbench version exits 0"
like "$OUT" '^vmbench [^ ]+ \(protocol [0-9]+, database schema [0-9]+\)$' "version prints the version, protocol and schema"
vb --version
is "$RC" 0 "vmbench --version exits 0"
like "$OUT" '^vmbench [^ ]+ \(protocol' "vmbench --version prints the version"

done_testing
