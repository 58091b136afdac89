#!/usr/bin/env bash
# SIGINT (^C) in the middle of a run: vmbench stops its agent, marks the
# experiment 'interrupted', keeps the finished runs and exits 1.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

DB=$T/results.db
W=$T/work
PLAN=$T/plan.ini
cat >"$PLAN" <<INI
[experiment]
name = e2e-sigint
repeat = 5

[variant native]
target = native
workdir = $W

[workload cpu]
type = cpu
max-prime = 2000
time = 2s
INI

# shellcheck disable=SC2317 # called through wait_for
vmbench_started()
{
	VPID=$(proc_children "$TPID")
	[ -n "$VPID" ]
}
# shellcheck disable=SC2317
no_agent_left()
{
	[ -z "$(procs_with vmbench-agent "$W")" ]
}

# without -q: the warning about the interruption is part of what is checked
bg_start "$T/out" "$T/err" "$VMBENCH" run --db "$DB" "$PLAN"
TPID=$BG_PID
VPID=""
wait_for 10 vmbench_started
ok_if "vmbench started (under timeout, pid ${VPID:-?})" [ -n "$VPID" ]
if [ -z "$VPID" ]; then
	done_testing
fi

if wait_for 30 db_has_runs "$DB" 2; then
	ok "the database has 2 finished runs"
else
	not_ok "the database has 2 finished runs within 30 s" "$(cat "$T/err")"
fi
AGENTS=$(procs_with vmbench-agent "$W")
ok_if "an agent with the test's workdir is running the third run" [ -n "$AGENTS" ]

T0=$SECONDS
kill -INT "$VPID"
wait "$TPID" 2>/dev/null
TRC=$?
is "$TRC" 1 "vmbench exits 1 after SIGINT"
ok_if "vmbench stops within 5 s of SIGINT ($((SECONDS - T0)) s)" [ $((SECONDS - T0)) -le 5 ]

LEFT=$(procs_with vmbench-agent "$W")
if [ -z "$LEFT" ]; then
	ok "no agent is left after vmbench exits"
else
	for p in $LEFT; do
		kill -KILL "$p" 2>/dev/null
	done
	not_ok "no agent is left after vmbench exits" "left over (now killed): $LEFT"
fi

is "$(db_query "$DB" 'select status from experiment')" interrupted "the experiment is 'interrupted'"
is "$(db_query "$DB" 'select count(*) from experiment where finished >= started')" 1 \
	"the experiment has its finish time"
NOK=$(db_query "$DB" "select count(*) from run where status = 'ok'")
ok_if "the finished runs are stored, ok ($NOK; at least 2)" [ "${NOK:-0}" -ge 2 ] && [ "${NOK:-0}" -lt 5 ]
is "$(db_query "$DB" "select count(*) from run where status != 'ok'")" 0 \
	"the interrupted run is not stored as a failed run"
is "$(db_query "$DB" 'PRAGMA integrity_check')" ok "PRAGMA integrity_check is ok"
ERRTXT=$(cat "$T/err")
like "$ERRTXT" 'interrupted by signal 2' "stderr says it was interrupted by signal 2"
like "$ERRTXT" 'finished runs are stored' "stderr says the finished runs are stored"
like "$(cat "$T/out")" "'e2e-sigint': interrupted" "the report printed at the end says interrupted"

done_testing
