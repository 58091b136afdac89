#!/usr/bin/env bash
# kill -9 of vmbench in the middle of a run: the finished runs are in the
# database, the database is intact and usable, and the agent dies with
# vmbench (PR_SET_PDEATHSIG) instead of running on as an orphan.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

DB=$T/results.db
W=$T/work
PLAN=$T/plan.ini
cat >"$PLAN" <<INI
[experiment]
name = e2e-kill9
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

bg_start "$T/out" "$T/err" "$VMBENCH" run -q --db "$DB" "$PLAN"
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
# its parent is the vmbench that is killed below
for a in $AGENTS; do
	ok_if "agent $a is a child of vmbench $VPID" \
		[ "$(proc_parent "$a")" = "$VPID" ]
done

# timeout re-raises its command's signal; bash's "Killed" notice is noise here
exec 3>&2 2>/dev/null
kill -KILL "$VPID"
wait "$TPID"
TRC=$?
exec 2>&3 3>&-
is "$TRC" 137 "vmbench died of SIGKILL (timeout reports 128+9)"

# the agent must follow within 2 s
if wait_for 2 no_agent_left; then
	ok "no agent of the killed vmbench survives (checked within 2 s)"
else
	LEFT=$(procs_with vmbench-agent "$W")
	for p in $LEFT; do
		kill -KILL "$p" 2>/dev/null
	done
	not_ok "no agent of the killed vmbench survives (checked within 2 s)" \
		"left over (now killed): $LEFT"
fi

NOK=$(db_query "$DB" "select count(*) from run where status = 'ok'")
if [ "$NOK" = 2 ]; then
	ok "the database has exactly the 2 finished runs, ok"
elif [ "${NOK:-0}" -gt 2 ]; then
	ok "the database has at least 2 finished runs ok ($NOK: the kill raced a run's end)"
else
	not_ok "the database has the 2 finished runs, ok" "got $NOK"
fi
is "$(db_query "$DB" "select count(*) from run where status != 'ok'")" 0 \
	"the run in progress is not stored as failed"
is "$(db_query "$DB" 'PRAGMA integrity_check')" ok "PRAGMA integrity_check is ok"
is "$(db_query "$DB" 'select status from experiment')" running \
	"the experiment stays 'running' (nothing could mark it)"
is "$(db_query "$DB" "select count(*) from metric m join run r on r.id = m.run_id where m.name = 'events_per_s' and m.value > 0")" \
	"$NOK" "every stored run has its metrics"

# vmbench can read and extend the database afterwards
vb show --db "$DB" --format json
is "$RC" 0 "show reads the database after the kill"
printf '%s\n' "$OUT" >"$T/show.json"
is "$(json_eval "$T/show.json" 'len(d["runs"])')" "$NOK" "show sees the stored runs"
vb run -q --db "$DB" -T "workdir=$W" -w cpu --set max-prime=100,events=10
is "$RC" 0 "a new run into the same database works"
is "$(db_query "$DB" 'select count(*) from experiment')" 2 "the database has both experiments"

done_testing
