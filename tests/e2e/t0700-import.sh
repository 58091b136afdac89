#!/usr/bin/env bash
# vmbench import: each fio job file and sysbench command line of
# tests/golden/import gives the plan next to it (NAME.ini; VB_REGEN_GOLDEN=1
# writes them), naming what has no equivalent; bad input is refused with the
# option and the fix (exit 2); imported plans run: a fio job and a sysbench
# cpu test, with the peer's values in the stored spec.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require agent

G=$SRC_ROOT/tests/golden/import

vb import -h
is "$RC" 0 "import -h exits 0"
like "$OUT" "vmbench import .*-- sysbench TEST" "import -h shows both forms"

for in in "$G"/*.fio "$G"/*.args; do
	name=$(basename "$in")
	want=$G/${name%.*}.ini
	if [ "${in##*.}" = fio ]; then
		# relative, so that the notes' file:line is the same everywhere
		(cd "$G" && timeout 20 "$VMBENCH" import "$name") >"$T/got.ini" 2>"$T/err"
	else
		# shellcheck disable=SC2046 # the words of the command line
		timeout 20 "$VMBENCH" import -- $(cat "$in") >"$T/got.ini" 2>"$T/err"
	fi
	rc=$?
	[ "${VB_REGEN_GOLDEN:-0}" = 1 ] && cp "$T/got.ini" "$want"
	is "$rc" 0 "import $name exits 0"
	if diff -u "$want" "$T/got.ini" >"$T/diff"; then
		ok "import $name gives ${name%.*}.ini"
	else
		not_ok "import $name gives ${name%.*}.ini"
		diag "$(head -30 "$T/diff")"
	fi
done
like "$(cat "$G/unsupported.ini")" "verify=crc32c \\(unsupported.fio:7, job verify-job\\)" \
	"an option without an equivalent is named with its line"
like "$(cat "$G/sysbench-direct-old.ini")" "direct = on" "--file-extra-flags=direct is direct = on"

# bad input
printf '[j]\nfilename=x\nioengine=mmap\n' >"$T/bad.fio"
vb import "$T/bad.fio"
is "$RC" 2 "fio ioengine=mmap: exit 2"
like "$ERR" "bad.fio:3: fio option 'ioengine' of job 'j': ioengine=mmap is not one of: psync, libaio, io_uring" \
	"... naming the line, the option and what it can be"
printf 'rw=read\n' >"$T/nosec.fio"
vb import "$T/nosec.fio"
like "$ERR" "nosec.fio:1: 'rw=read' is outside a section" "an option outside a section is refused"
printf '[global]\nrw=read\n' >"$T/nojob.fio"
vb import "$T/nojob.fio"
like "$ERR" "no job section" "a file with only [global] is refused"
vb import "$T/missing.fio"
is "$RC" 2 "a missing job file: exit 2"
like "$ERR" "cannot open '$T/missing.fio'" "... naming it"
vb import -- sysbench oltp_read_write run
like "$ERR" "no vmbench workload follows sysbench's 'oltp_read_write' test \\(these do: cpu, memory, fileio\\)" \
	"a sysbench test without a workload is refused"
vb import -- sysbench fileio --file-extra-flags=dsync run
like "$ERR" "file-extra-flags=dsync has no vmbench equivalent" "a peer value without an equivalent is refused"
vb import -- sysbench cpu run now
like "$ERR" "one test and one command, not 'now'" "extra words are refused"

# imported plans run
cat >"$T/small.fio" <<FIO
[global]
directory=$T/work
size=4m
[rr]
rw=randread
bs=4k
ioengine=psync
runtime=1
time_based
FIO
vb import -o "$T/fio.ini" "$T/small.fio"
is "$RC" 0 "import -o writes the plan"
sed -i 's/^repeat = 3/repeat = 1/' "$T/fio.ini"
vb run -q --db "$T/db" "$T/fio.ini"
is "$RC" 0 "the imported fio job runs"
is "$(db_query "$T/db" "select json_extract(spec_json, '$.engine') || ' ' || json_extract(spec_json, '$.\"time-based\"') from run")" \
	"psync 1" "... with fio's engine and time_based"
vb import -o "$T/sb.ini" -- sysbench cpu --cpu-max-prime=2000 --time=1 run
sed -i 's/^repeat = 3/repeat = 1/' "$T/sb.ini"
vb run -q --db "$T/db2" "$T/sb.ini"
is "$RC" 0 "the imported sysbench test runs"
is "$(db_query "$T/db2" "select json_extract(spec_json, '$.\"max-prime\"') from run")" 2000 \
	"... with its --cpu-max-prime"

done_testing
