#!/usr/bin/env bash
# vmbench-agent as PID 1 outside the built-in guest (a container started
# without an init; here a new PID namespace): it must not take itself for the
# guest's init (which mounts, waits 20 s for a virtio-serial port, then powers
# off) but serve as usual under a reaper of its own (src/agent/init.c):
# --once answers, the stdio protocol says hello from PID 2 and ends at EOF,
# SIGTERM to PID 1 reaches the agent, and an orphan reparented to PID 1 is
# reaped instead of staying a zombie.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

AGENT=$VMBENCH_AGENT_BIN
require agent root unshare
unshare --fork --pid --mount-proc true 2>/dev/null ||
	skip_all "unshare --fork --pid --mount-proc does not work here"

# pid1 ARGS...: the agent as PID 1 of a new PID namespace, 15 s at most
pid1()
{
	timeout -k 2 15 unshare --fork --pid --mount-proc "$AGENT" "$@"
}

# --- --once -----------------------------------------------------------------
T0=$SECONDS
pid1 --once cpu max-prime=100,events=10 >"$T/once.json" 2>"$T/once.err"
is "$?" 0 "--once as PID 1 exits 0 (124 would mean it waited as the guest's init)"
ok_if "--once as PID 1 prints its result" \
	json_true "$T/once.json" 'd["metrics"]["total_events"]["value"] == 10'
ok_if "--once as PID 1 ends within 10 s ($((SECONDS - T0)) s)" [ $((SECONDS - T0)) -le 10 ]

# --- serving on stdio -----------------------------------------------------------
pid1 --workdir "$T" </dev/null >"$T/serve.out" 2>"$T/serve.err"
is "$?" 0 "serving on stdio as PID 1 ends at EOF with exit 0"
head -1 "$T/serve.out" >"$T/hello.json"
is "$(json_eval "$T/hello.json" 'd["type"]')" hello "it says hello on stdout"
is "$(json_eval "$T/hello.json" 'd["facts"]["pid"]')" 2 \
	"the agent is PID 2 of the namespace, below its reaper (PID 1)"

# --- orphans are reaped; SIGTERM is forwarded --------------------------------------
# a subshell leaves `sleep 0.3` to PID 1 (the shell, then the agent by exec)
bg_start "$T/z.out" "$T/z.err" unshare --fork --pid --mount-proc \
	sh -c '(sleep 0.3 &); exec "$0" --once cpu max-prime=2000,time=20s' "$AGENT"
NS_INIT=""
AG=""
# shellcheck disable=SC2317 # called through wait_for
agent_running()
{
	local u
	u=$(proc_children "$BG_PID")
	[ -n "$u" ] || return 1
	NS_INIT=$(proc_children "$u" | head -1)
	[ -n "$NS_INIT" ] || return 1
	AG=$(procs_with vmbench-agent --once | grep -vx "$NS_INIT" | head -1)
	[ -n "$AG" ] && [ "$(proc_parent "$AG")" = "$NS_INIT" ]
}
# zombies PID: children of PID that have ended and were not reaped
zombies()
{
	py '
import os, sys
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            s = open("/proc/%s/stat" % p).read()
        except OSError:
            continue
        f = s[s.rindex(")") + 2:].split()
        if f[1] == sys.argv[1] and f[0] == "Z":
            print(p)
' "$1"
}
if wait_for 20 agent_running; then
	ok "the agent runs as PID 2 (host PID $AG) below PID 1 (host PID $NS_INIT)"
	sleep 1.5 # the orphan has ended by now
	is "$(zombies "$NS_INIT")" "" "no zombie is left below PID 1 (the orphan was reaped)"
	T0=$SECONDS
	kill -TERM "$NS_INIT"
	wait "$BG_PID"
	RC=$?
	ok_if "SIGTERM to PID 1 reaches the agent: its 20 s run ends within 5 s ($((SECONDS - T0)) s)" \
		[ $((SECONDS - T0)) -le 5 ]
	ok_if "and PID 1 exits with the agent's status (got $RC, not timeout's 124)" [ "$RC" != 124 ]
else
	not_ok "the agent runs below PID 1" "$(cat "$T/z.err")"
fi

done_testing
