#!/usr/bin/env bash
# Plan files: [experiment] repeat, two [variant]s, variants= restricting a
# workload; then every workload type (dd, fileio, blkio with each available
# engine) once, each ok with its headline metric > 0.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

DB=$T/results.db
PLAN=$T/two-variants.ini
cat >"$PLAN" <<INI
; two native variants, cpu on both, memory on a only
[experiment]
name = e2e-plan
repeat = 2

[variant a]
target = native
workdir = $T/wa

[variant b]
target = native
workdir = $T/wb

[workload cpu]
type = cpu
max-prime = 2000
time = 1s

[workload mem]
type = memory
total-size = 64M
variants = a
INI

# options after the plan file work as well as before it
vb run "$PLAN" --db "$DB" --format json -q
is "$RC" 0 "run PLAN.ini exits 0"
printf '%s\n' "$OUT" >"$T/plan.json"
J=$T/plan.json
is "$(json_eval "$J" 'd["experiment"]["name"]')" e2e-plan "the experiment has the plan's name"
is "$(json_eval "$J" 'len(d["runs"])')" 6 "2 repeats x (cpu on a and b + mem on a) = 6 runs"
is "$(json_eval "$J" '[v["name"] for v in d["variants"]]')" '["a", "b"]' "the variants are a and b"
is "$(json_eval "$J" 'sorted({(r["variant"], r["workload"]) for r in d["runs"]})')" \
	'[["a", "cpu"], ["a", "mem"], ["b", "cpu"]]' "mem runs on variant a only (variants = a)"
is "$(json_eval "$J" 'sorted((r["variant"], r["workload"], r["repeat"]) for r in d["runs"])')" \
	'[["a", "cpu", 1], ["a", "cpu", 2], ["a", "mem", 1], ["a", "mem", 2], ["b", "cpu", 1], ["b", "cpu", 2]]' \
	"each (variant, workload) runs repeat=2 times"
ok_if "every run is ok" json_true "$J" 'all(r["status"] == "ok" for r in d["runs"])'
ok_if "cpu: events_per_s > 0 in every run" \
	json_true "$J" 'all(r["metrics"]["events_per_s"] > 0 for r in d["runs"] if r["type"] == "cpu")'
ok_if "memory: mib_per_s > 0 and total_mib = 64 in every run" \
	json_true "$J" 'all(r["metrics"]["mib_per_s"] > 0 and abs(r["metrics"]["total_mib"] - 64) < 0.01 for r in d["runs"] if r["type"] == "memory")'
ok_if "the variants' config holds their workdirs" \
	json_true "$J" "[v['config']['workdir'] for v in d['variants']] == ['$T/wa', '$T/wb']"
ok_if "the stored plan is the plan file's text" \
	py 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["experiment"]["plan"] != open(sys.argv[2]).read())' "$J" "$PLAN"
is "$(db_query "$DB" "select count(*) from run r join variant v on v.id = r.variant_id where v.name = 'b' and r.workload = 'mem'")" 0 \
	"the database has no mem run on b"

# a [variant NAME] without keys is a native variant with the defaults
# (src/run/plan.c: "a section is created ... at the next header / end of
# file when it has no keys")
cat >"$T/keyless.ini" <<INI
[variant bare]
[workload cpu]
max-prime = 100
events = 10
INI
vb run -q --db "$DB" --format json "$T/keyless.ini"
is "$RC" 0 "a plan with a keyless [variant bare] exits 0"
printf '%s\n' "$OUT" >"$T/keyless.json"
ok_if "the keyless variant 'bare' ran the cpu workload" \
	json_true "$T/keyless.json" '[(r["variant"], r["status"]) for r in d["runs"]] == [("bare", "ok")]'

# --- every workload type, once --------------------------------------------
W=$T/work
mkdir -p "$W" "$T/fileio"
ENGINES=$T/engines.txt
vb list engines
is "$RC" 0 "vmbench list engines exits 0"
printf '%s\n' "$OUT" >"$ENGINES"

DIRECT=on
if ! dd if=/dev/zero of="$W/.direct-probe" bs=8k count=1 oflag=direct status=none 2>/dev/null; then
	DIRECT=off
fi
rm -f "$W/.direct-probe"

PLAN2=$T/all-workloads.ini
cat >"$PLAN2" <<INI
[experiment]
name = e2e-all
repeat = 1

[variant native]
workdir = $W

[workload dd]
type = dd
filename = dd.img
bs = 8k
count = 1000
direct = $DIRECT

[workload fileio]
type = fileio
mode = rndrw
file-num = 2
file-total-size = 16M
time = 1s
dir = $T/fileio
INI
ENGINES_USED=""
for e in psync libaio io_uring; do
	line=$(grep -E "^  $e " "$ENGINES")
	if [ -z "$line" ]; then
		not_ok "vmbench list engines lists $e" "$(cat "$ENGINES")"
	elif printf '%s\n' "$line" | grep -q unavailable; then
		skip "blkio engine=$e" "vmbench list engines: $(printf '%s' "$line" | sed 's/.*unavailable/unavailable/')"
	else
		ENGINES_USED="$ENGINES_USED $e"
		cat >>"$PLAN2" <<INI

[workload blkio-$e]
type = blkio
filename = blkio-$e.img
rw = randread
size = 16M
runtime = 1s
engine = $e
INI
	fi
done

vb run --db "$DB" --format json -q "$PLAN2"
is "$RC" 0 "a plan with every workload type exits 0"
printf '%s\n' "$OUT" >"$T/all.json"
J=$T/all.json
diag "runs: $(json_eval "$J" '[(r["workload"], r["status"], r["error"]) for r in d["runs"]]' 2>&1)"

# headline METRIC of WORKLOAD is > 0 and the run is ok
headline()
{
	local w=$1 m=$2
	ok_if "$w: ok with $m > 0" json_true "$J" \
		"[r['status'] == 'ok' and r['metrics'].get('$m', 0) > 0 for r in d['runs'] if r['workload'] == '$w'] == [True]"
}
if [ "$DIRECT" = off ]; then
	diag "$W refuses O_DIRECT: dd runs with direct=off"
fi
headline dd mb_per_s
is "$(json_eval "$J" '[r["metrics"].get("bytes") for r in d["runs"] if r["workload"] == "dd"]')" \
	'[8192000.0]' "dd: bytes = bs x count = 8192000"
headline fileio reads_per_s
ok_if "fileio: rndrw also writes (writes_per_s > 0)" \
	json_true "$J" "[r['metrics'].get('writes_per_s', 0) > 0 for r in d['runs'] if r['workload'] == 'fileio'] == [True]"
ok_if "fileio: its test files are removed afterwards (keep-files=off)" \
	[ -z "$(ls -A "$T/fileio")" ]
for e in $ENGINES_USED; do
	headline "blkio-$e" read_iops
	ok_if "blkio engine=$e: no writes in randread" json_true "$J" \
		"[r['metrics'].get('write_iops', 0) == 0 for r in d['runs'] if r['workload'] == 'blkio-$e'] == [True]"
done
is "$(json_eval "$J" 'sorted({r["type"] for r in d["runs"]})')" \
	"$(json_eval "$J" 'sorted({"dd", "fileio"} | ({"blkio"} if "'"$ENGINES_USED"'".strip() else set()))')" \
	"the runs have the workload types of the plan"

done_testing
