#!/usr/bin/env bash
# runtime=lxc, application containers: the agent runs under lxc-execute in
# vmbench's own lxcpath, with its hostname and the limits as lxc config keys;
# a memory limit is enforced; nothing is left after a run or after SIGINT;
# after kill -9 of vmbench the container dies with it and the next vmbench
# removes its directory. Bad input: rootfs= with another runtime, a rootfs that is not one.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require root lxc-execute

W=$T/work
mkdir -p "$W"
LXCPATH=$VMBENCH_STATE/lxc
RT="runtime=lxc,workdir=$W"

vb_with_timeout 120 run -q --db "$T/r.db" --format json -t container \
	-T "$RT,hostname=vb-e2e-lxc,mem=256M,cpus=1,cpuset=0" \
	-w cpu --set max-prime=2000,time=1s \
	-w fileio --set mode=rndrw,file-num=2,file-total-size=4M,time=1s,keep-files=on
is "$RC" 0 "cpu and fileio in an LXC application container exit 0"
printf '%s\n' "$OUT" >"$T/r.json"
is "$(json_eval "$T/r.json" '[r["status"] for r in d["runs"]]')" '["ok", "ok"]' "both runs are ok"
is "$(json_eval "$T/r.json" 'd["variants"][0]["agent"]["facts"]["hostname"]')" vb-e2e-lxc \
	"the agent has the configured hostname"
is "$(json_eval "$T/r.json" 'd["variants"][0]["agent"]["facts"]["pid"]')" 2 \
	"the agent is PID 2 of its container, under lxc's init"
F="d['variants'][0]['facts']"
ok_if "facts: runtime lxc, an application container, v1 or v2 keys, the launch time" \
	json_true "$T/r.json" "${F}['runtime'] == 'lxc' and ${F}['kind'] == 'application' and ${F}['cgroup']['keys'] in ('lxc.cgroup', 'lxc.cgroup2') and 0 < ${F}['launch_s'] < 30"
diag "lxc launch_s: $(json_eval "$T/r.json" "${F}['launch_s']")"
like "$(json_eval "$T/r.json" 'd["variants"][0]["command"]')" \
	"^lxc-execute --lxcpath=$LXCPATH --name=vmbench-[0-9]+-container -- /vmbench-agent" \
	"lxc-execute in vmbench's own lxcpath"
ok_if "fileio wrote into the host's workdir" [ -f "$W/test_file.0" ]
rm -f "$W"/test_file.*
is "$(ls -A "$LXCPATH" 2>/dev/null)" "" "nothing is left in the lxcpath after the run"

vb_with_timeout 120 run -q --db "$T/oom.db" --format json -t container -T "$RT,mem=32M" \
	-w memory --set block-size=128M,scope=global,time=2s
is "$RC" 1 "a memory run over mem=32M fails"
printf '%s\n' "$OUT" >"$T/oom.json"
like "$(json_eval "$T/oom.json" 'd["runs"][0]["error"]')" 'memory limit' "the reason names the memory limit"

# --- bad input ----------------------------------------------------------------------
vb run -q --db "$T/bad.db" -t container -T "runtime=crun,workdir=$W,rootfs=debian" -w cpu --set events=10
is "$RC" 1 "rootfs= with runtime=crun fails"
like "$ERR" "rootfs='debian' is for runtime=lxc" "and says rootfs= is for runtime=lxc"
vb run -q --db "$T/bad.db" -t container -T "$RT,rootfs=$W" -w cpu --set events=10
like "$ERR" "rootfs='$W' has no /sbin/init" "a directory without an init is refused with the reason"

# --- SIGINT and kill -9 ----------------------------------------------------------------------
# shellcheck disable=SC2317 # called through wait_for
vmbench_started() { VPID=$(proc_children "$TPID"); [ -n "$VPID" ]; }
# shellcheck disable=SC2317
agent_up()
{
	AGENTS=$(agents_below "$VPID")
	[ -n "$AGENTS" ]
}
# shellcheck disable=SC2317
agent_gone() { for p in $AGENTS; do [ -e "/proc/$p/comm" ] && return 1; done; return 0; }
for sig in INT KILL; do
	bg_start "$T/$sig.out" "$T/$sig.err" "$VMBENCH" run -q --db "$T/$sig.db" -t container -T "$RT" \
		-w cpu --set time=30s
	TPID=$BG_PID
	VPID=""
	if wait_for 10 vmbench_started && wait_for 30 agent_up; then
		ok "SIG$sig: the container runs"
		kill -"$sig" "$VPID"
		wait "$TPID" 2>/dev/null
		ok_if "SIG$sig: the container's agent is gone" wait_for 5 agent_gone
		if [ "$sig" = KILL ]; then
			vb list targets
			like "$ERR" "released what vmbench pid $VPID left.*vmbench-$VPID-container" \
				"kill -9: the next vmbench removes the container's directory"
		fi
		is "$(ls -A "$LXCPATH" 2>/dev/null)" "" "SIG$sig: nothing is left in the lxcpath"
	else
		not_ok "SIG$sig: the container runs" "$(cat "$T/$sig.err")"
	fi
done
done_testing
