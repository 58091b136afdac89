#!/usr/bin/env bash
# vmbench -h and every command's -h print a usage on stdout and exit 0;
# unknown commands and options are usage errors (exit 2) with a message.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

for h in -h --help help; do
	vb $h
	is "$RC" 0 "vmbench $h exits 0"
	like "$OUT" '^usage: vmbench COMMAND' "vmbench $h prints the usage on stdout"
done
vb -h
for cmd in run show list doctor version; do
	like "$OUT" "^  $cmd " "the usage lists the '$cmd' command"
done

for cmd in run show list doctor version; do
	for h in -h --help; do
		vb $cmd $h
		is "$RC" 0 "vmbench $cmd $h exits 0"
		like "$OUT" "^usage: vmbench $cmd" "vmbench $cmd $h prints its usage on stdout"
	done
done

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
