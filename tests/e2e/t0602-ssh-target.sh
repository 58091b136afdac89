#!/usr/bin/env bash
# target=ssh: the agent copied to "another machine" (this one, through an
# sshd on a loopback port, tests/e2e/sshd.sh) and run over ssh's stdio with
# the same protocol; cpu and fileio there. Then kill -9 of vmbench while the
# remote agent runs: the next vmbench removes the staged directory from the
# journal (kind remote).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/sshd.sh
. "$(dirname "$0")/sshd.sh"

require root agent
sshd_start || skip_all "$SSHD_WHY"

DB=$T/results.db
RD=$T/remote
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-ssh
repeat = 1

[variant far]
target = ssh
host = root@127.0.0.1:$SSHD_PORT
identity = $SSHD_KEY
verify-host-key = off
workdir = $T/far-work
remote-dir = $RD

[workload cpu]
type = cpu
time = 1s

[workload fio]
type = fileio
file-total-size = 8M
file-num = 2
mode = rndrw
time = 1s
INI

vb run -q --db "$DB" "$T/plan.ini"
is "$RC" 0 "a plan with target=ssh runs (exit 0)"
is "$(db_query "$DB" "select count(*) from run where status = 'ok'")" 2 "both runs are ok"
is "$(db_query "$DB" "select json_extract(spec_json, '$.target.remote.host') from run limit 1")" \
	"root@127.0.0.1:$SSHD_PORT" "the runs name the host they ran on"
like "$(db_query "$DB" "select qemu_argv from variant")" "^ssh -T .*-p $SSHD_PORT root@127.0.0.1 -- .*exec .*vmbench-agent.* --workdir " \
	"the variant stores the ssh command line"
V=$(db_query "$DB" "select avg(m.value) from metric m join run r on r.id = m.run_id where r.workload = 'cpu' and m.name = 'events_per_s'")
ok_if "cpu over ssh: events_per_s > 0 ($V)" py 'import sys; sys.exit(not float(sys.argv[1]) > 0)' "${V:-0}"
is "$(ls -A "$RD" 2>/dev/null)" "" "the staged agent is removed from the host"

# kill -9 while a run is in progress on the remote host
sed -i 's/^time = 1s/time = 30s/' "$T/plan.ini"
"$VMBENCH" run -q --db "$T/db2" "$T/plan.ini" >"$T/k.out" 2>&1 &
VBPID=$!
_bg_pids="$_bg_pids $VBPID"
for _ in $(seq 1 100); do
	[ -n "$(ls -A "$RD" 2>/dev/null)" ] && pgrep -f "$RD/.*/vmbench-agent" >/dev/null && break
	sleep 0.2
done
ok_if "the agent runs on the host" pgrep -f "$RD/.*/vmbench-agent"
sleep 1
kill -KILL "$VBPID"
wait "$VBPID" 2>/dev/null
for _ in $(seq 1 50); do
	pgrep -f "$RD/.*/vmbench-agent" >/dev/null || break
	sleep 0.2
done
ok_if "the remote agent ends with ssh" [ -z "$(pgrep -f "$RD/.*/vmbench-agent")" ]
ok_if "the staged directory is still there after kill -9" [ -n "$(ls -A "$RD" 2>/dev/null)" ]
vb list
like "$ERR" "released what vmbench pid $VBPID left \(killed\?\): removed the staged directory '$RD/agent-far-$VBPID' on root@127.0.0.1:$SSHD_PORT" \
	"the next vmbench removes it over ssh, saying so"
is "$(ls -A "$RD" 2>/dev/null)" "" "nothing is left on the host"
done_testing
