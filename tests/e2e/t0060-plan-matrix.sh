#!/usr/bin/env bash
# Plans as matrices: axes expand into named variants/workloads, [defaults]
# apply, --dry-run prints the runs without running, warmup runs are not
# stored, the randomized order's seed is stored, adaptive repeats stop and
# say why, --resume finishes an interrupted experiment, and bad plans fail
# before anything runs.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

DB=$T/results.db
W=$T/work
PLAN=$T/plan.ini
cat >"$PLAN" <<INI
[experiment]
name = e2e-matrix
repeat = 2
warmup = 1
order = randomized
seed = 42
baseline = b

[defaults]
workdir = $W

[variant a]
[variant b]

[workload cpu]
max-prime = 500,1000
time = 200ms

[workload mem]
type = memory
total-size = 8M
variants = b
INI

# --dry-run: the expanded runs and the agent command line, nothing run
vb run --dry-run --db "$DB" "$PLAN"
is "$RC" 0 "dry run exits 0"
like "$OUT" "2 variants x 3 workloads, repeat 2" "dry run names the expansion"
like "$OUT" "a / cpu-max-prime500 #1" "dry run lists the expanded workload names"
like "$OUT" "vmbench-agent --workdir $W" "dry run prints the agent command with [defaults] applied"
is "$(printf '%s\n' "$OUT" | grep -c '^ *[0-9]*\. ')" 10 "dry run lists 10 runs (a: 2 cpu x 2, b: 3 x 2)"
ok_if "dry run creates no database" test ! -e "$DB"

vb run -q --db "$DB" --format json "$PLAN"
is "$RC" 0 "the matrix plan runs"
is "$(db_query "$DB" "SELECT count(*) FROM run")" 10 "10 runs stored (warmups are not)"
is "$(db_query "$DB" "SELECT count(*) FROM run WHERE repeat = 0")" 0 "no warmup run stored"
is "$(db_query "$DB" "SELECT group_concat(DISTINCT workload) FROM (SELECT workload FROM run ORDER BY workload)")" \
	"cpu-max-prime1000,cpu-max-prime500,mem" "the workloads are named by their axis values"
is "$(db_query "$DB" "SELECT count(*) FROM run r JOIN variant v ON v.id = r.variant_id WHERE r.workload = 'mem' AND v.name = 'a'")" \
	0 "variants = b keeps mem off variant a"
is "$(db_query "$DB" "SELECT json_extract(config_json, '\$.seed') || ',' || json_extract(config_json, '\$.order') || ',' || json_extract(config_json, '\$.baseline') FROM experiment")" \
	"42,randomized,b" "seed, order and baseline are stored with the experiment"
ORDER1=$(db_query "$DB" "SELECT v.name || '/' || r.workload FROM run r JOIN variant v ON v.id = r.variant_id ORDER BY r.id" | tr '\n' ' ')
vb run -q --db "$DB" "$PLAN"
ORDER2=$(db_query "$DB" "SELECT v.name || '/' || r.workload FROM run r JOIN variant v ON v.id = r.variant_id WHERE v.experiment_id = 2 ORDER BY r.id" | tr '\n' ' ')
is "$ORDER2" "$ORDER1" "the same seed gives the same randomized order"
unlike_seq() { [ "$(printf '%s' "$ORDER1" | cut -d' ' -f1-4)" != "a/cpu-max-prime500 a/cpu-max-prime1000 b/cpu-max-prime500 b/cpu-max-prime1000" ]; }
ok_if "the randomized order differs from the interleaved one" unlike_seq

# adaptive: stops on its own rule or at the maximum, and says which
cat >"$T/adaptive.ini" <<INI
[experiment]
name = e2e-adaptive
repeat = 3..6
until = cv < 50%
[variant a]
workdir = $W
[workload cpu]
max-prime = 500
time = 200ms
INI
vb run --db "$DB" "$T/adaptive.ini"
is "$RC" 0 "the adaptive plan runs"
like "$ERR" "adaptive: a/cpu stopped: cv [0-9.]+% < 50% after 3 runs" "a loose rule stops at the minimum and says so"
is "$(db_query "$DB" "SELECT count(*) FROM run r JOIN variant v ON v.id = r.variant_id JOIN experiment e ON e.id = v.experiment_id WHERE e.name = 'e2e-adaptive'")" \
	3 "three runs stored"
sed -i 's/cv < 50%/cv < 0.0001%/' "$T/adaptive.ini"
vb run --db "$DB" "$T/adaptive.ini"
like "$ERR" "adaptive: a/cpu stopped: reached the maximum of 6 runs" "an impossible rule stops at the maximum and says so"

# --resume after SIGINT runs only what is missing
cat >"$T/resume.ini" <<INI
[experiment]
name = e2e-resume
repeat = 4
[variant a]
workdir = $W
[workload cpu]
max-prime = 500
time = 1s
INI
bg_start "$T/rout" "$T/rerr" "$VMBENCH" run -q --db "$DB" "$T/resume.ini"
RPID=$BG_PID
# shellcheck disable=SC2317
two_runs() { [ "$(db_query "$DB" "SELECT count(*) FROM run r JOIN variant v ON v.id = r.variant_id JOIN experiment e ON e.id = v.experiment_id WHERE e.name = 'e2e-resume'" 2>/dev/null)" -ge 2 ]; }
wait_for 30 two_runs
kill -INT "$RPID" 2>/dev/null
wait "$RPID" 2>/dev/null
is "$(db_query "$DB" "SELECT status FROM experiment WHERE name = 'e2e-resume'")" interrupted "the interrupted experiment says so"
vb run -q --db "$DB" --resume e2e-resume
is "$RC" 0 "--resume exits 0"
is "$(db_query "$DB" "SELECT count(*) || ',' || count(DISTINCT r.repeat) FROM run r JOIN variant v ON v.id = r.variant_id JOIN experiment e ON e.id = v.experiment_id WHERE e.name = 'e2e-resume' AND r.status = 'ok'")" \
	"4,4" "after --resume the experiment has repeats 1..4, each once"
is "$(db_query "$DB" "SELECT status FROM experiment WHERE name = 'e2e-resume'")" done "and is done"

# ad-hoc experiments are stored as a plan that --resume can read
vb run -q --db "$DB" -w cpu --set max-prime=500,time=200ms -n 2 --name e2e-adhoc
like "$(db_query "$DB" "SELECT plan_text FROM experiment WHERE name = 'e2e-adhoc'")" "^\[workload cpu\]" "an ad-hoc run stores an INI plan"
vb run -q --db "$DB" --resume e2e-adhoc
is "$RC" 0 "--resume of a complete ad-hoc experiment runs nothing and exits 0"
is "$(db_query "$DB" "SELECT count(*) FROM run r JOIN variant v ON v.id = r.variant_id JOIN experiment e ON e.id = v.experiment_id WHERE e.name = 'e2e-adhoc'")" 2 "and adds no run"

# bad plans: exit 2, a message with file and line, nothing created
bad()
{
	local text=$1 want=$2 what=$3
	rm -f "$T/bad.db"
	printf '%b' "$text" >"$T/bad.ini"
	vb run --db "$T/bad.db" "$T/bad.ini"
	is "$RC" 2 "$what: exit 2"
	like "$ERR" "$want" "$what: the message"
	ok_if "$what: no database created" test ! -e "$T/bad.db"
}
bad "[variant a]\n[workload cpu]\nthreadz = 1,2\n" "bad.ini:3: .*unknown option 'threadz'" "unknown axis name"
bad "[variant a]\n[workload cpu]\nthreads = 1,,2\n" "bad.ini:3: .*empty value" "empty axis value"
bad "[experiment]\nbaseline = ghost\n[variant a]\n[workload cpu]\n" "baseline 'ghost' is not a variant" "missing baseline"
bad "[experiment]\nrepeat = 100000\n[variant a]\n[workload cpu]\nthreads = 1,2\n" "expands to 200000 runs" "too large an expansion"
bad "[experiment]\nrepeat = 3..9\n[variant a]\n[workload cpu]\n" "needs a stop rule" "adaptive repeat without until"

done_testing
