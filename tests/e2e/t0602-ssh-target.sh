#!/usr/bin/env bash
# target=ssh: the agent copied to "another machine" (this one, through an
# sshd on a loopback port, tests/e2e/sshd.sh) and run over ssh's stdio with
# the same protocol; cpu and fileio there, the remote host's CPU split read
# over ssh around each run, and the staged agent removed after (kill -9:
# s0603).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/sshd.sh
. "$(dirname "$0")/sshd.sh"

require root agent
sshd_start || skip_all "$SSHD_WHY"

DB=$T/results.db
RD=$T/remote
ssh_plan e2e-ssh "$RD" >"$T/plan.ini"

vb run -q --db "$DB" "$T/plan.ini"
is "$RC" 0 "a plan with target=ssh runs (exit 0)"
is "$(db_query "$DB" "select count(*) from run where status = 'ok'")" 2 "both runs are ok"
is "$(db_query "$DB" "select json_extract(spec_json, '$.target.remote.host') from run limit 1")" \
	"root@127.0.0.1:$SSHD_PORT" "the runs name the host they ran on"
like "$(db_query "$DB" "select qemu_argv from variant")" "^ssh -T .*-p $SSHD_PORT root@127.0.0.1 -- .*exec .*vmbench-agent.* --workdir " \
	"the variant stores the ssh command line"
V=$(db_query "$DB" "select avg(m.value) from metric m join run r on r.id = m.run_id where r.workload = 'cpu' and m.name = 'events_per_s'")
ok_if "cpu over ssh: events_per_s > 0 ($V)" py 'import sys; sys.exit(not float(sys.argv[1]) > 0)' "${V:-0}"
V=$(db_query "$DB" "select t.value from telemetry t join run r on r.id = t.run_id where r.workload = 'cpu' and t.name = 'remote_host_user_pct'")
ok_if "the remote host's CPU split is measured over ssh (user $V %)" py 'import sys; sys.exit(not 0 < float(sys.argv[1]) <= 100)' "${V:-0}"
is "$(ls -A "$RD" 2>/dev/null)" "" "the staged agent is removed from the host"

done_testing
