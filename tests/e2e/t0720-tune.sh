#!/usr/bin/env bash
# vmbench tune: -h; bad [tune] sections refused with the fix (exit 2); a race
# over container CPU quotas (cpus = 0.01 to 0.08: quotas below a fair share
# of this host even under a load of 20, so that each is delivered; maximize the cpu
# workload's events/s), whose optimum is known: the largest quota wins, in at
# most half of the full matrix's runs, every run is stored as an experiment
# named after its round, and the best comes out as a plan variant that
# `vmbench run` takes; a constraint no configuration meets leaves none (exit 1).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require agent

DB=$T/results.db

vb tune -h
is "$RC" 0 "tune -h exits 0"
like "$OUT" "objective = maximize read_iops of workload rr" "tune -h shows a [tune] section"

plan()
{
	cat >"$T/plan.ini" <<INI
[experiment]
name = cpus
repeat = 4

[tune]
$1

[variant ct]
target = ${2:-container}
${3:-cpus = 0.01,0.02,0.04,0.08}
workdir = $T/work

[workload prime]
type = cpu
time = 1s
INI
}

plan ""
vb tune --db "$DB" "$T/plan.ini"
is "$RC" 2 "a tune plan without an objective: exit 2"
like "$ERR" "needs an objective in its \\[tune\\] section" "... and the message says where it goes"
plan "objective = maximise events_per_s of prime"
vb tune --db "$DB" "$T/plan.ini"
is "$RC" 2 "a misspelt objective: exit 2"
like "$ERR" "is not 'maximize\\|minimize METRIC of workload NAME'" "... with the form it must have"
plan "objective = maximize events_per_s of workload nope"
vb tune --db "$DB" "$T/plan.ini"
like "$ERR" "workload 'nope' is not in the plan \\(its workloads: prime" "an unknown workload names the plan's"
plan "objective = maximize events_per_s of workload prime
constraint = target_cpu_pct ~ 5"
vb tune --db "$DB" "$T/plan.ini"
like "$ERR" "constraint 'target_cpu_pct ~ 5' is not 'METRIC OP NUMBER'" "a bad constraint is refused"
plan "objective = maximize events_per_s of workload prime" native "network = loopback"
vb tune --db "$DB" "$T/plan.ini"
like "$ERR" "one configuration, nothing to tune" "one configuration is refused"
is "$(db_query "$DB" "select count(*) from run")" 0 "nothing ran for a refused plan"

if have root && "$VMBENCH" list targets | grep -A1 '^container:' | grep -q 'available: yes'; then
	plan "objective = maximize events_per_s of workload prime"
	vb_with_timeout 240 tune -q --db "$DB" "$T/plan.ini"
	is "$RC" 0 "the race over four CPU quotas exits 0"
	like "$OUT" "best: ct-cpus0.08 " "the largest quota wins"
	RUNS=$(db_query "$DB" "select count(*) from run where status = 'ok'")
	ok_if "at most half of the full matrix's 16 runs ($RUNS)" [ "$RUNS" -le 8 ]
	like "$OUT" "runs: $RUNS of the full matrix's 16" "the share it says is what is stored"
	is "$(db_query "$DB" "select count(*) from experiment where name like 'cpus (tune round %'")" \
		"$(db_query "$DB" "select count(*) from experiment")" "every round is an experiment"
	like "$OUT" "runner-up: ct-cpus0.04 " "the runner-up is the next quota"
	# the best as a plan variant, run as it is printed
	{
		printf '%s\n' "$OUT" | sed -n '/^\[variant /,/^$/p'
		printf 'workdir = %s\n\n[workload prime]\ntype = cpu\ntime = 200ms\n' "$T/work"
	} >"$T/best.ini"
	vb run -q --db "$T/best.db" "$T/best.ini"
	is "$RC" 0 "the printed variant runs with vmbench run"
	is "$(db_query "$T/best.db" "select json_extract(config_json, '$.cpus') from variant")" 0.08 \
		"... with its quota"

	plan "objective = maximize events_per_s of workload prime
constraint = events_per_s < 0"
	vb_with_timeout 120 tune -q --db "$DB" "$T/plan.ini"
	is "$RC" 1 "a constraint none meets: exit 1"
	like "$OUT" "breaks events_per_s < 0" "... each configuration out for breaking it"
	like "$OUT" "no configuration is left" "... and none is left"

	# SIGINT during a round: exit 1 within seconds, the round stored as
	# interrupted, no later round, nothing judged
	# shellcheck disable=SC2317 # called through wait_for
	tune_started()
	{
		VPID=$(proc_children "$TPID")
		[ -n "$VPID" ]
	}
	plan "objective = maximize events_per_s of workload prime"
	bg_start "$T/sig.out" "$T/sig.err" "$VMBENCH" tune --db "$T/sig.db" "$T/plan.ini"
	TPID=$BG_PID
	VPID=""
	if wait_for 10 tune_started && wait_for 60 db_has_runs "$T/sig.db" 1; then
		T0=$SECONDS
		kill -INT "$VPID"
		wait "$TPID" 2>/dev/null
		is "$?" 1 "SIGINT during a round: exit 1"
		ok_if "... within 5 s ($((SECONDS - T0)) s)" [ $((SECONDS - T0)) -le 5 ]
		like "$(cat "$T/sig.err")" "tune: interrupted after [0-9]+ runs; they are stored" "... saying so"
		is "$(db_query "$T/sig.db" "select status from experiment order by id desc limit 1")" \
			interrupted "... the round's experiment is 'interrupted'"
		unlike "$(cat "$T/sig.out")" "best:" "... and no result is claimed"
	else
		not_ok "tune started and stored a run within 60 s" "$(cat "$T/sig.err")"
	fi
else
	skip "the race over container CPU quotas" "needs root and a working container target"
fi

done_testing
