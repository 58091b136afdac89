#!/usr/bin/env bash
# target=container, runtime=builtin: the agent runs isolated (its own PID 1,
# hostname, mounts), cpu, memory and fileio runs are stored, file workloads
# reach the host's workdir (bind) or an overlay, a memory limit is enforced
# and a run over it is stored as failed with the reason, and nothing is left
# (cgroup, mount namespace, process, overlay layers) after a run, after
# SIGINT and after kill -9 of vmbench (whose cgroups the next run removes).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require root
AVAIL=$("$VMBENCH" list targets 2>&1 | sed -n '/^container:/,/^$/p' | grep 'available:')
case $AVAIL in
*"available: yes"*) ;;
*) skip_all "target=container is unavailable here: ${AVAIL#*available: }" ;;
esac

DB=$T/results.db
W=$T/work
mkdir -p "$W"
HOST_HOSTNAME=$(hostname)

# cgroup_dirs ID: the cgroup directories of a container id that exist now
cgroup_dirs()
{
	find /sys/fs/cgroup -maxdepth 4 -type d -name "$1" 2>/dev/null
}

# mnt_ns_holders NS: PIDs of processes in mount namespace NS ("mnt:[...]")
mnt_ns_holders()
{
	py '
import os, sys
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            if os.readlink("/proc/%s/ns/mnt" % p) == sys.argv[1]:
                print(p)
        except OSError:
            pass
' "$1"
}

# shellcheck disable=SC2317 # called through wait_for
vmbench_started()
{
	VPID=$(proc_children "$TPID")
	[ -n "$VPID" ]
}
# container_up: INIT (the container's PID 1, a child of vmbench) and AGENT
# (its child) are running; sets NS to the agent's mount namespace
# shellcheck disable=SC2317
container_up()
{
	INIT=$(proc_children "$VPID" | head -1)
	[ -n "$INIT" ] || return 1
	AGENT=$(proc_children "$INIT" | head -1)
	[ -n "$AGENT" ] || return 1
	NS=$(readlink "/proc/$AGENT/ns/mnt" 2>/dev/null)
	[ -n "$NS" ] && [ "$(readlink "/proc/$AGENT/exe" 2>/dev/null)" != "" ]
}

# live_left: those of INIT and AGENT that still run (a zombie has ended; the
# same PID with a vmbench name: still there, or reused by a vmbench)
live_left()
{
	local p stat
	for p in $INIT $AGENT; do
		stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		case $stat in
		*") Z "*) continue ;;
		*"(vmbench"*) echo "$p" ;;
		esac
	done
}
# shellcheck disable=SC2317
none_left()
{
	[ -z "$(live_left)" ]
}

# gone_check WHAT: the container's processes and its mount namespace are
# gone within 2 s; leftovers are killed by PID and reported
gone_check()
{
	local what=$1 left="" p
	wait_for 2 none_left || left=$(live_left)
	if [ -z "$left" ]; then
		ok "$what: the container's init ($INIT) and agent ($AGENT) are gone"
	else
		for p in $left; do kill -KILL "$p" 2>/dev/null; done
		not_ok "$what: the container's init ($INIT) and agent ($AGENT) are gone" \
			"left over (now killed): $left"
	fi
	is "$(mnt_ns_holders "$NS")" "" "$what: no process holds the container's mount namespace $NS"
}

# --- isolation, workloads, limits applied ----------------------------------

vb run -q --db "$DB" --format json -t container \
	-T "workdir=$W,hostname=vb-e2e-ct,mem=256M,cpus=1" \
	-w cpu --set max-prime=2000,time=1s \
	-w memory --set block-size=1M,total-size=64M \
	-w fileio --set mode=rndrw,file-num=4,file-total-size=8M,time=1s,keep-files=on
is "$RC" 0 "cpu, memory and fileio in a builtin container exit 0"
printf '%s\n' "$OUT" >"$T/run.json"
is "$(json_eval "$T/run.json" '[r["status"] for r in d["runs"]]')" '["ok", "ok", "ok"]' \
	"the three runs are ok"
is "$(db_query "$DB" "select count(*) from run r join variant v on v.id = r.variant_id where v.target = 'container' and r.status = 'ok'")" 3 \
	"the database has the 3 container runs, ok"
ok_if "cpu events_per_s, memory mib_per_s and fileio writes_per_s are > 0" \
	json_true "$T/run.json" '[r["metrics"].get({"cpu":"events_per_s","memory":"mib_per_s","fileio":"writes_per_s"}[r["workload"]], 0) > 0 for r in d["runs"]] == [True] * 3'
is "$(json_eval "$T/run.json" 'd["variants"][0]["agent"]["facts"]["hostname"]')" vb-e2e-ct \
	"the agent's hostname is the configured one (UTS namespace; the host is $HOST_HOSTNAME)"
is "$(json_eval "$T/run.json" 'd["variants"][0]["agent"]["facts"]["pid"]')" 2 \
	"the agent is PID 2 of its own PID namespace (PID 1 is vmbench's init)"
F="d['variants'][0]['facts']"
is "$(json_eval "$T/run.json" "$F['runtime']")" builtin "facts: runtime builtin"
ok_if "facts: launch_s (spawn to hello) is between 0 and 10 s" \
	json_true "$T/run.json" "0 < $F['launch_s'] < 10"
diag "launch_s: $(json_eval "$T/run.json" "$F['launch_s']")"
ok_if "facts: the memory cgroup's version is recorded" \
	json_true "$T/run.json" "$F['cgroup']['memory'] in ('v1', 'v2')"
ok_if "facts: the memory limit 256M was applied (memory.limit_in_bytes or memory.max)" \
	json_true "$T/run.json" "'268435456' in $F['cgroup']['limits'].values()"
ok_if "facts: the CPU quota 100000/100000 us was applied" \
	json_true "$T/run.json" "$F['cgroup']['limits'].get('cpu.cfs_quota_us', $F['cgroup']['limits'].get('cpu.max', '')).split()[0] == '100000'"
ok_if "the runs carry the target facts" \
	json_true "$T/run.json" 'all(r["spec"]["target"]["runtime"] == "builtin" for r in d["runs"])'
ok_if "fileio's files (keep-files=on) are in the host's workdir: /work is a bind mount" \
	[ -f "$W/test_file.0" ]
rm -f "$W"/test_file.*
ID=$(json_eval "$T/run.json" "$F['id']")
is "$(cgroup_dirs "$ID")" "" "no cgroup directory $ID is left after the run"
ok_if "the container's mounts were in its own namespace: none under the workdir on the host" \
	[ -z "$(grep -F " $W" /proc/self/mountinfo)" ]

# --- the memory limit is enforced -----------------------------------------

# one 128M buffer (scope=global) cannot fit under mem=64M: the OOM killer
# kills the agent, and the run is stored failed with the limit as the reason
vb run -q --db "$DB" --format json -t container -T "workdir=$W,mem=64M" \
	-w memory --set block-size=128M,scope=global,time=2s
is "$RC" 1 "a memory run over mem=64M exits 1"
printf '%s\n' "$OUT" >"$T/oom.json"
ok_if "it is stored as failed" \
	json_true "$T/oom.json" 'd["runs"] and all(r["status"] == "failed" for r in d["runs"])'
ERRMSG=$(json_eval "$T/oom.json" 'd["runs"][0]["error"]')
like "$ERRMSG" 'memory limit mem=64M' "the reason names the memory limit"
like "$ERRMSG" 'OOM killer' "the reason says the OOM killer killed it"
is "$(cgroup_dirs "$(json_eval "$T/oom.json" "$F['id']")")" "" \
	"no cgroup directory is left after the failed run"

# --- storage=overlay ----------------------------------------------------------

PLAN=$T/overlay.ini
cat >"$PLAN" <<INI
[experiment]
name = e2e-container-overlay
repeat = 1

[variant ovl]
target = container
workdir = $W
storage = overlay

[workload cpu]
type = cpu
max-prime = 2000
time = 3s

[workload fileio]
type = fileio
mode = seqwr
file-num = 2
file-total-size = 8M
time = 1s
INI
bg_start "$T/ovl.out" "$T/ovl.err" "$VMBENCH" run -q --db "$T/ovl.db" --format json "$PLAN"
TPID=$BG_PID
VPID=""
INIT=""
AGENT=""
NS=""
wait_for 30 vmbench_started
if wait_for 60 container_up; then
	ok "storage=overlay: the container is up (init $INIT, agent $AGENT)"
	MI=$(cat "/proc/$AGENT/mountinfo")
	like "$MI" ' /work .* - overlay ' "storage=overlay: /work in the container is an overlayfs"
	UPPER=$(find "$W" -maxdepth 2 -path "$W/vmbench-*/upper" -type d | head -1)
	ok_if "storage=overlay: its layers are in the workdir ($UPPER)" [ -n "$UPPER" ]
	unlike "$MI" ' / / .* - ext4 ' "the container's / is not the host's root"
else
	not_ok "storage=overlay: the container is up" "$(cat "$T/ovl.err")"
fi
wait "$TPID"
is "$?" 0 "storage=overlay: the plan (cpu, fileio) exits 0"
is "$(json_eval "$T/ovl.out" '[r["status"] for r in d["runs"]]')" '["ok", "ok"]' \
	"storage=overlay: both runs are ok"
is "$(find "$W" -maxdepth 1 -name 'vmbench-*')" "" "storage=overlay: the layers are removed after the run"
[ -n "$AGENT" ] && gone_check "after the run"

# --- SIGINT -----------------------------------------------------------------

PLAN=$T/long.ini
cat >"$PLAN" <<INI
[experiment]
name = e2e-container-stop
repeat = 5

[variant ct]
target = container
workdir = $W
mem = 128M
cpus = 1

[workload cpu]
type = cpu
max-prime = 2000
time = 2s
INI

bg_start "$T/int.out" "$T/int.err" "$VMBENCH" run -q --db "$T/int.db" "$PLAN"
TPID=$BG_PID
VPID=""
INIT=""
AGENT=""
wait_for 30 vmbench_started
if wait_for 60 container_up && wait_for 30 db_has_runs "$T/int.db" 1; then
	ok "SIGINT: the container is running its second run (init $INIT, agent $AGENT)"
	ID="vmbench-$VPID-ct"
	ok_if "SIGINT: its cgroup $ID exists while it runs" [ -n "$(cgroup_dirs "$ID")" ]
	T0=$SECONDS
	kill -INT "$VPID"
	wait "$TPID" 2>/dev/null
	is "$?" 1 "SIGINT: vmbench exits 1"
	ok_if "SIGINT: it stops within 5 s ($((SECONDS - T0)) s)" [ $((SECONDS - T0)) -le 5 ]
	gone_check "after SIGINT"
	LEFT=$(cgroup_dirs "$ID")
	is "$LEFT" "" "after SIGINT: no cgroup directory $ID is left"
else
	not_ok "SIGINT: the container is running" "$(cat "$T/int.err")"
fi

# --- kill -9 ------------------------------------------------------------------

bg_start "$T/k9.out" "$T/k9.err" "$VMBENCH" run -q --db "$T/k9.db" "$PLAN"
TPID=$BG_PID
VPID=""
INIT=""
AGENT=""
wait_for 30 vmbench_started
if wait_for 60 container_up && wait_for 30 db_has_runs "$T/k9.db" 1; then
	ok "kill -9: the container is running (init $INIT, agent $AGENT)"
	ID="vmbench-$VPID-ct"
	exec 3>&2 2>/dev/null
	kill -KILL "$VPID"
	wait "$TPID"
	exec 2>&3 3>&-
	gone_check "after kill -9 of vmbench"
	STALE=$(cgroup_dirs "$ID")
	ok_if "kill -9: the cgroup directories of the killed vmbench remain (nothing could remove them)" \
		[ -n "$STALE" ]
	# the next vmbench that starts a container removes them
	vb run -q --db "$T/k9.db" -t container -T "workdir=$W" -w cpu --set max-prime=100,events=10
	is "$RC" 0 "the next container run works"
	LEFT=$(cgroup_dirs "$ID")
	if [ -z "$LEFT" ]; then
		ok "the next run removed the cgroups left by the killed vmbench"
	else
		for d in $LEFT; do rmdir "$d" 2>/dev/null; done
		not_ok "the next run removed the cgroups left by the killed vmbench" "left (now removed): $LEFT"
	fi
else
	not_ok "kill -9: the container is running" "$(cat "$T/k9.err")"
fi

done_testing
