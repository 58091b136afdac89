#!/usr/bin/env bash
# target=container with OCI runtimes (crun, podman): the bundle vmbench writes
# runs (the agent isolated under a static init, with its hostname and limits),
# a memory limit is enforced, nothing is left after a run, and after kill -9
# of vmbench the container dies with it and the next run removes what the
# runtime kept (its state, cgroups, the bundle). A runtime that cannot work
# here is skipped with the reason vmbench gives. Docker and lxc: the reason
# only. The dry run shows the runtime's command line.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require root

DB=$T/results.db
W=$T/work
mkdir -p "$W"

# why RUNTIME: what `vmbench list targets` says about it ("yes" or "no, ...")
why()
{
	"$VMBENCH" list targets 2>/dev/null | sed -n '/^container:/,/^$/p' |
		grep -E '^  runtime ' | tr ';' '\n' | sed -n "s/^ *$1: //p" | sed 's/ (builtin, crun.*//'
}

# descendants PID: every process below PID (not zombies)
descendants()
{
	py '
import os, sys
kids = {}
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        s = open("/proc/%s/stat" % p).read()
    except OSError:
        continue
    f = s[s.rindex(")") + 2:].split()
    if f[0] != "Z":
        kids.setdefault(f[1], []).append(p)
todo, out = [sys.argv[1]], []
while todo:
    for c in kids.get(todo.pop(), []):
        out.append(c)
        todo.append(c)
print(" ".join(out))
' "$1"
}
# alive PIDS...: those still running (not zombies)
alive()
{
	local p stat
	for p in "$@"; do
		stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		case $stat in *") Z "*) continue ;; esac
		echo "$p"
	done
}
# shellcheck disable=SC2317 # called through wait_for
vmbench_started()
{
	VPID=$(proc_children "$TPID")
	[ -n "$VPID" ]
}
# shellcheck disable=SC2317
agent_up()
{
	PIDS=$(descendants "$VPID")
	local p
	for p in $PIDS; do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = vmbench-agent ] && return 0
	done
	return 1
}
# shellcheck disable=SC2317
none_alive()
{
	# shellcheck disable=SC2086
	[ -z "$(alive $PIDS)" ]
}
leftovers()
{
	local id=$1
	find /sys/fs/cgroup -maxdepth 6 -type d -name "$id" 2>/dev/null
	[ -e "/run/crun/$id" ] && echo "/run/crun/$id"
	[ -e "/run/vmbench/$id" ] && echo "/run/vmbench/$id"
	if command -v podman >/dev/null; then
		podman --cgroup-manager=cgroupfs --events-backend=file ps -a --format '{{.Names}}' 2>/dev/null |
			grep -x "$id" | sed 's/^/podman container /'
	fi
	return 0
}

# --- docker, lxc: a reason, never a silent failure ------------------------------
for rt in docker lxc; do
	REASON=$(why $rt)
	case $REASON in
	yes) ok "runtime=$rt is available here" ;;
	"no, "*) ok "runtime=$rt is unavailable and vmbench says why: ${REASON#no, }" ;;
	*) not_ok "vmbench says whether runtime=$rt is available" "got: '$REASON'" ;;
	esac
done
vb run -q --db "$DB" -t container -T "runtime=docker,workdir=$W" -w cpu --set events=10
if [ "$(why docker)" != yes ]; then
	# unavailable here is not a failure: the run is skipped (exit 3, src/run/fate.h)
	is "$RC" 3 "a run with runtime=docker is skipped here (exit 3)"
	like "$ERR" 'runtime=docker cannot be used here: ' "and says why"
fi

# --- the dry run ------------------------------------------------------------------
vb run --dry-run -t container -T "runtime=crun,workdir=$W,mem=64M,cpus=2" -w cpu --set events=10
is "$RC" 0 "run --dry-run with runtime=crun exits 0"
like "$OUT" '^crun run --bundle /run/vmbench/vmbench-[0-9]+-container vmbench-[0-9]+-container$' \
	"the dry run shows crun's command line"
like "$OUT" '"quota":200000,"period":100000' "and the config.json with the CPU quota"
vb run --dry-run -t container -T "runtime=podman,workdir=$W,mem=64M" -w cpu --set events=10
like "$OUT" '^podman .* run --rm --interactive .*--memory=67108864 .*--rootfs /run/vmbench/' \
	"the dry run shows podman's command line"
# the bundle the dry run names (its own pid's: another vmbench may be running)
BUNDLE=$(printf '%s\n' "$OUT" | grep -o -- '--rootfs /run/vmbench/[^ ]*' | head -1 | sed 's|--rootfs ||; s|/rootfs$||')
ok_if "a dry run creates no bundle ($BUNDLE)" [ -n "$BUNDLE" ] && [ ! -e "$BUNDLE" ]

for rt in crun podman; do
	REASON=$(why $rt)
	if [ "$REASON" != yes ]; then
		skip "runtime=$rt" "unavailable here: ${REASON#no, }"
		continue
	fi
	vb_with_timeout 120 run -q --db "$DB" --format json -t container \
		-T "runtime=$rt,workdir=$W,hostname=vb-e2e-$rt,mem=256M,cpus=1" \
		-w cpu --set max-prime=2000,time=1s \
		-w fileio --set mode=rndrw,file-num=4,file-total-size=8M,time=1s,keep-files=on
	is "$RC" 0 "runtime=$rt: cpu and fileio exit 0"
	printf '%s\n' "$OUT" >"$T/$rt.json"
	is "$(json_eval "$T/$rt.json" '[r["status"] for r in d["runs"]]')" '["ok", "ok"]' \
		"runtime=$rt: both runs are ok"
	is "$(json_eval "$T/$rt.json" 'd["variants"][0]["agent"]["facts"]["hostname"]')" "vb-e2e-$rt" \
		"runtime=$rt: the agent has the configured hostname"
	is "$(json_eval "$T/$rt.json" 'd["variants"][0]["agent"]["facts"]["pid"]')" 2 \
		"runtime=$rt: the agent is PID 2 of its PID namespace, under the static init"
	F="d['variants'][0]['facts']"
	ok_if "runtime=$rt: facts say the runtime, who manages the cgroup and the launch time" \
		json_true "$T/$rt.json" "$F['runtime'] == '$rt' and $F['cgroup']['managed_by'] == '$rt' and 0 < $F['launch_s'] < 30"
	diag "runtime=$rt launch_s: $(json_eval "$T/$rt.json" "$F['launch_s']")"
	ok_if "runtime=$rt: fileio wrote into the host's workdir" [ -f "$W/test_file.0" ]
	rm -f "$W"/test_file.*
	ID=$(json_eval "$T/$rt.json" "$F['id']")
	is "$(leftovers "$ID")" "" "runtime=$rt: nothing of $ID is left (cgroups, runtime state, bundle)"

	# from a directory of its own: a runtime's leftovers in the working
	# directory (conmon's "oom" marker) would show there
	mkdir -p "$T/cwd-$rt"
	pushd "$T/cwd-$rt" >/dev/null || exit 1
	vb_with_timeout 120 run -q --db "$DB" --format json -t container -T "runtime=$rt,workdir=$W,mem=64M" \
		-w memory --set block-size=128M,scope=global,time=2s
	popd >/dev/null || exit 1
	is "$RC" 1 "runtime=$rt: a memory run over mem=64M fails"
	is "$(ls -A "$T/cwd-$rt")" "" "runtime=$rt: nothing is left in vmbench's working directory"
	printf '%s\n' "$OUT" >"$T/$rt-oom.json"
	like "$(json_eval "$T/$rt-oom.json" 'd["runs"][0]["error"]')" 'memory limit mem=64M' \
		"runtime=$rt: the reason names the memory limit"
done

# --- kill -9 with crun ------------------------------------------------------------
if [ "$(why crun)" = yes ]; then
	PLAN=$T/long.ini
	cat >"$PLAN" <<INI
[experiment]
name = e2e-crun-kill9
repeat = 5

[variant k]
target = container
runtime = crun
workdir = $W
mem = 128M

[workload cpu]
type = cpu
max-prime = 2000
time = 2s
INI
	bg_start "$T/k9.out" "$T/k9.err" "$VMBENCH" run -q --db "$T/k9.db" "$PLAN"
	TPID=$BG_PID
	VPID=""
	PIDS=""
	wait_for 10 vmbench_started
	if wait_for 20 agent_up && wait_for 30 db_has_runs "$T/k9.db" 1; then
		agent_up
		ok "kill -9 (crun): the container runs (processes $PIDS)"
		ID="vmbench-$VPID-k"
		exec 3>&2 2>/dev/null
		kill -KILL "$VPID"
		wait "$TPID"
		exec 2>&3 3>&-
		if wait_for 2 none_alive; then
			ok "kill -9 (crun): crun, the static init and the agent died with vmbench"
		else
			# shellcheck disable=SC2086
			LEFT=$(alive $PIDS)
			for p in $LEFT; do kill -KILL "$p" 2>/dev/null; done
			not_ok "kill -9 (crun): crun, the static init and the agent died with vmbench" \
				"left over (now killed): $LEFT"
		fi
		ok_if "kill -9 (crun): crun's state and cgroups remain until the next run" \
			[ -n "$(leftovers "$ID")" ]
		vb_with_timeout 120 run -q --db "$T/k9.db" -t container -T "runtime=crun,workdir=$W" \
			-w cpu --set max-prime=100,events=10
		is "$RC" 0 "kill -9 (crun): the next crun run works"
		LEFT=$(leftovers "$ID")
		is "$LEFT" "" "kill -9 (crun): the next run removed what the killed one left"
	else
		not_ok "kill -9 (crun): the container runs" "$(cat "$T/k9.err")"
	fi
else
	skip "kill -9 with crun" "runtime=crun is unavailable here: $(why crun)"
fi

done_testing
