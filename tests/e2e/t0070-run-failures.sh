#!/usr/bin/env bash
# Failures and leftovers: a failure that would repeat (a path that cannot be
# opened) is stored once and not retried, also when the agent reports it
# (its result carries the errno); a transient one (a run killed at
# its deadline) is retried, and the progress counter never shows more runs
# than its total; a variant whose target cannot work on this host is stored
# as 'skipped' with the reason, reported as such, and exits 3 when nothing
# failed (src/run/fate.h).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

DB=$T/results.db
W=$T/work
mkdir -p "$W"

# every "[N/M]" of a progress output has N <= M
counter_sane()
{
	py 'import re,sys
bad = [m.group(0) for m in re.finditer(r"\[(\d+)/(\d+)\]", open(sys.argv[1]).read())
       if int(m.group(1)) > int(m.group(2))]
print(" ".join(bad)); sys.exit(1 if bad else 0)' "$1"
}

# --- a permanent failure: not retried ------------------------------------
cat >"$T/perm.ini" <<INI
[experiment]
name = e2e-permanent
repeat = 3

[variant native]
workdir = $W

[workload dd]
type = dd
filename = $T/no-such-dir/dd.img
bs = 4k
count = 10
INI
vb run --db "$DB" "$T/perm.ini"
printf '%s\n' "$ERR" >"$T/perm.err"
is "$RC" 1 "a plan whose only run cannot open its file exits 1"
is "$(db_query "$DB" "select count(*) from run r join variant v on v.id = r.variant_id join experiment e on e.id = v.experiment_id where e.name = 'e2e-permanent'")" 1 \
	"ENOENT on the file: one run stored, not 3 repeats x 2 attempts"
like "$(db_query "$DB" "select r.status || ': ' || r.error from run r join variant v on v.id = r.variant_id join experiment e on e.id = v.experiment_id where e.name = 'e2e-permanent'")" \
	"failed: dd: cannot open '$T/no-such-dir/dd.img'" "the run is failed with the path in its error"
like "$ERR" '\[1/1\] native / dd #1: FAILED, not retried' "the progress line says [1/1] and that it is not retried"
unlike "$ERR" '\[2/' "no second attempt is shown"
ok_if "no progress counter exceeds its total" counter_sane "$T/perm.err"

# --- a transient failure: retried, the total grows with it -----------------
cat >"$T/trans.ini" <<INI
[experiment]
name = e2e-transient
repeat = 1
timeout = 1s

[variant native]
workdir = $W

[workload spin]
type = cpu
time = 0
events = 1000000000000
max-prime = 100000
INI
vb run --db "$DB" "$T/trans.ini"
printf '%s\n' "$ERR" >"$T/trans.err"
is "$RC" 1 "a run killed at its deadline twice exits 1"
is "$(db_query "$DB" "select group_concat(r.status) from run r join variant v on v.id = r.variant_id join experiment e on e.id = v.experiment_id where e.name = 'e2e-transient'")" \
	"failed,failed" "a timeout is transient: retried once (2 attempts for repeat = 1)"
like "$ERR" '\[1/2\] native / spin #1: FAILED, will retry' "the first failure says it will be retried, counted [1/2]"
like "$ERR" '\[2/2\] native / spin #1: FAILED \(' "the retry is [2/2], not [2/1]"
ok_if "no progress counter exceeds its total" counter_sane "$T/trans.err"

# --- the agent says why a run failed: its errno -----------------------------
"$VMBENCH_AGENT_BIN" --once dd "filename=$T/no-such-dir/x,count=1" >"$T/once.json" 2>/dev/null
is "$(json_eval "$T/once.json" '[d["status"], d["errno"]]')" '["failed", 2]' \
	"the agent's failed result carries its errno (ENOENT = 2)"

# an agent that answers every run with ENOTSUP (an engine this host lacks,
# as blkio reports it): the run is skipped, not failed, and not retried
cat >"$T/fake-agent" <<'PY'
#!/usr/bin/env python3
import json, sys
print(json.dumps({"type": "hello", "proto": 1, "agent": "fake", "facts": {}}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    if req.get("type") == "bye":
        break
    if req.get("type") == "run":
        print(json.dumps({"type": "result", "id": req["id"], "status": "failed", "errno": 95,
                          "error": "blkio: engine 'io_uring' is unavailable here: fake",
                          "metrics": {}, "histograms": {}, "duration_s": 0}), flush=True)
PY
chmod +x "$T/fake-agent"
VMBENCH_AGENT=$T/fake-agent vb run --db "$DB" --name e2e-engine -n 3 -w cpu --set events=10
printf '%s\n' "$ERR" >"$T/engine.err"
is "$RC" 3 "a run the agent cannot do here (ENOTSUP): exit 3"
is "$(db_query "$DB" "select r.status || ': ' || r.error from run r join variant v on v.id = r.variant_id join experiment e on e.id = v.experiment_id where e.name = 'e2e-engine'")" \
	"skipped: blkio: engine 'io_uring' is unavailable here: fake" "stored once as skipped with the agent's reason"
like "$ERR" '\[1/1\] native / cpu #1: skipped' "the progress line says skipped, [1/1] of 3 repeats"
ok_if "no progress counter exceeds its total" counter_sane "$T/engine.err"

# --- unavailable here: skipped ---------------------------------------------
# a container runtime this host lacks (vmbench list says which)
vb list targets
RUNTIME=$(printf '%s\n' "$OUT" | py 'import re,sys
t = sys.stdin.read()
m = re.search(r"here: (.*?) \(builtin", t)
for part in (m.group(1).split("; ") if m else []):
    name, _, state = part.partition(": ")
    if state.startswith("no"):
        print(name); break')
if [ -z "$RUNTIME" ]; then
	skip "skipped runs" "every container runtime works on this host: nothing is unavailable here"
	done_testing
fi
diag "runtime=$RUNTIME is unavailable here"
cat >"$T/skip.ini" <<INI
[experiment]
name = e2e-skipped
repeat = 2

[variant native]
workdir = $W

[variant ct]
target = container
runtime = $RUNTIME
workdir = $W

[workload cpu]
type = cpu
max-prime = 1000
events = 100
INI
vb run --db "$DB" --format json "$T/skip.ini"
printf '%s\n' "$ERR" >"$T/skip.err"
printf '%s\n' "$OUT" >"$T/skip.json"
J=$T/skip.json
is "$RC" 3 "nothing failed, some runs skipped: exit 3"
is "$(json_eval "$J" 'sorted((r["variant"], r["status"]) for r in d["runs"])')" \
	'[["ct", "skipped"], ["native", "ok"], ["native", "ok"]]' \
	"native ran twice; the unavailable variant is stored once as skipped, not retried"
like "$(json_eval "$J" '[r["error"] for r in d["runs"] if r["status"] == "skipped"][0]')" \
	"runtime=$RUNTIME cannot be used here" "the skipped run says why"
is "$(json_eval "$J" 'd["experiment"]["status"]')" done "the experiment is done, not failed"
like "$ERR" "ct / cpu #1: skipped" "the progress line says skipped"
like "$ERR" "1 run was skipped" "the end says how many runs were skipped"
ok_if "no progress counter exceeds its total" counter_sane "$T/skip.err"
for f in text json csv html; do
	vb report --db "$DB" e2e-skipped --format "$f"
	is "$RC" 0 "report --format $f of an experiment with a skipped run exits 0"
done

# density: the same instance lifecycle says the same (KSM stays off)
vb density --db "$DB" -q -t container -T "runtime=$RUNTIME,workdir=$W" --count 2 \
	--set settle-interval=200ms,settle-timeout=5s --format json
is "$RC" 3 "density of a target unavailable here: exit 3 (skipped, not failed)"
printf '%s\n' "$OUT" >"$T/dens.json"
ok_if "its ramp is marked skipped, with the reason" json_true "$T/dens.json" \
	"[(r.get('skipped'), r.get('failed'), 'runtime=$RUNTIME cannot be used here' in r['stopped']) for r in d['experiment']['config']['density']['ramps']] == [(True, False, True)]"

# skipped and failed together: failed wins
cat >>"$T/skip.ini" <<INI

[workload dd]
type = dd
filename = $T/no-such-dir/dd.img
count = 1
variants = native
INI
vb run --db "$DB" -q "$T/skip.ini"
is "$RC" 1 "a failed run and a skipped one: exit 1"

done_testing
