#!/usr/bin/env bash
# target=ssh under kill -9 of vmbench while the remote agent runs a
# workload (the host is this one through a loopback sshd, tests/e2e/sshd.sh):
# ssh dies with vmbench, the agent with ssh, and the next vmbench removes the
# staged directory on the host from the journal (kind remote). In the slow
# set only because every ssh command sources the remote shell's start-up
# files, which take seconds on a loaded host.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/sshd.sh
. "$(dirname "$0")/sshd.sh"

require root agent
sshd_start || skip_all "$SSHD_WHY"

DB=$T/results.db
RD=$T/remote
ssh_plan e2e-ssh-kill9 "$RD" >"$T/plan.ini"

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
