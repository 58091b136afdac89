#!/usr/bin/env bash
# network=veth under runtime=docker and runtime=lxc: the engine (docker run
# --network=none) or lxc (lxc.net.0.type = empty) makes the container's own
# network namespace, and once the agent said hello vmbench moves the veth
# end into it (t0501 is the runtimes that join vmbench's namespace). For
# each: a split `net` TCP stream and an `http` closed loop between the
# client namespace and the container, both results stored; a container
# whose agent is killed mid-experiment is started again with a new veth
# pair; nothing (namespace, host link, Docker container or image, LXC
# directory) is left after the run, after SIGINT, nor after kill -9 of
# vmbench and the next vmbench command. An LXC system container
# (rootfs=debian) too, when its root is cached. Docker runs in a private dockerd (--iptables=false
# --bridge=none): no bridge, no firewall rule.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/lib_net.sh
. "$(dirname "$0")/lib_net.sh"
# shellcheck source=tests/e2e/dockerd.sh
. "$(dirname "$0")/dockerd.sh"

require root agent ip
W=$T/work
mkdir -p "$W"
LINKS0=$(host_links | tr '\n' ' ')
NCPU=$(nproc)
CCPU=0
SCPU=$((NCPU > 1 ? 1 : 0))
LXCPATH=$VMBENCH_STATE/lxc

# The vmbench pid in the client namespace's name of JSON's first run.
pid_of_run() # JSON
{
	json_eval "$1" 'd["runs"][0]["spec"]["net"]["client"]["ns"]' 2>/dev/null |
		sed -n 's/^vb-\([0-9]*\)-.*/\1/p'
}

# left NAME: what a runtime may leave behind (Docker's containers and
# images; LXC's container directories)
left()
{
	case $1 in
	docker) dockerd_mine ;;
	lxc*) for d in "$LXCPATH"/vmbench-*; do [ -e "$d" ] && basename "$d"; done; true ;;
	esac
}

# net_run NAME RUNTIME-OPTIONS: the split net and http runs, then nothing left
net_run()
{
	local name=$1 j=$T/$1.json pid
	vb_with_timeout 280 run -q --db "$T/$name.db" --format json -t container \
		-T "$2,network=veth,workdir=$W" \
		-w net --set "time=1s,client-cpus=$CCPU,server-cpus=$SCPU" \
		-w http --set "time=1s,workers=4,client-cpus=$CCPU,server-cpus=$SCPU"
	is "$RC" 0 "$name: a split net stream and an http closed loop exit 0"
	[ "$RC" = 0 ] || diag "$(tail -5 <<<"$ERR")"
	printf '%s\n' "$OUT" >"$j"
	is "$(json_eval "$j" '[r["status"] for r in d["runs"]]')" '["ok", "ok"]' \
		"$name: both runs are ok and stored"
	is "$(json_eval "$j" '" ".join([d["runs"][0]["spec"]["net"]["mode"],
		d["runs"][0]["spec"]["net"]["client"]["connects"],
		d["runs"][1]["spec"]["net"]["client"]["connects"],
		d["variants"][0]["facts"]["network"]["container_ns"]])')" \
		"split 10.77.0.2:5201 10.77.0.2:8080 the container's own (the veth end moved in)" \
		"$name: the client in the client namespace reached the container's own namespace"
	ok_if "$name: net streamed ($(json_eval "$j" 'round(d["runs"][0]["metrics"]["fwd_mbit_s"])') Mbit/s) and http answered ($(json_eval "$j" 'round(d["runs"][1]["metrics"]["requests_per_s"])') requests/s, no errors)" \
		json_true "$j" 'd["runs"][0]["metrics"]["fwd_mbit_s"] > 0 and d["runs"][1]["metrics"]["requests"] > 0 and d["runs"][1]["metrics"]["errors"] == 0'
	pid=$(pid_of_run "$j")
	ok_if "$name: the runs name vmbench's client namespace" [ -n "$pid" ]
	is "$(namespaces_of "${pid:-none}" | wc -l)" 0 "$name: no namespace of vmbench $pid is left"
	is "$(host_links | tr '\n' ' ')" "$LINKS0" "$name: the host's links are as before"
	is "$(left "$name")" "" "$name: nothing of the container is left"
}

# the split client runs: the host-side agent is in the client namespace
# shellcheck disable=SC2317 # called through wait_for
client_running() { client_ns_of_run && [ -n "$(ip netns pids "$CNS" 2>/dev/null)" ]; }

# interrupt SIG NAME RUNTIME-OPTIONS: SIGINT or kill -9 of vmbench in the
# middle of a split net run. SIGINT: vmbench stops the container and
# removes the namespaces itself; kill -9: the container dies with vmbench,
# the namespaces wait for the next vmbench, which removes them (and
# Docker's image) from the journal.
interrupt()
{
	local sig=$1 name=$2 k=$1$2 t0
	bg_start "$T/$k.out" "$T/$k.err" "$VMBENCH" run -q --db "$T/$k.db" \
		-t container -T "$3,network=veth,workdir=$W" -w net --set "time=60s,client-cpus=$CCPU"
	TPID=$BG_PID
	VPID=""
	CNS=""
	if ! wait_for 120 client_running; then
		not_ok "$name SIG$sig: the split net run is under way within 120 s" "$(cat "$T/$k.err")"
		finish_server
		return
	fi
	t0=$SECONDS
	exec 3>&2 2>/dev/null
	kill -"$sig" "$VPID"
	finish_server
	exec 2>&3 3>&-
	if [ "$sig" = INT ]; then
		is "$SRV_RC" 1 "$name SIGINT: vmbench exits 1"
		ok_if "$name SIGINT: within 20 s ($((SECONDS - t0)) s)" [ $((SECONDS - t0)) -le 20 ]
	else
		is "$(namespaces_of "$VPID" | wc -l)" 2 \
			"$name kill -9: its two namespaces are still there"
		vb list workloads
		is "$RC" 0 "$name kill -9: the next command exits 0"
		like "$ERR" "released what vmbench pid $VPID left.*removed the network namespace 'vb-$VPID-container-c'" \
			"$name kill -9: it says it removed the client namespace"
	fi
	is "$(namespaces_of "$VPID" | wc -l)" 0 "$name SIG$sig: no namespace is left"
	is "$(host_links | tr '\n' ' ')" "$LINKS0" "$name SIG$sig: the host's links are as before"
	is "$(left "$name")" "" "$name SIG$sig: nothing of the container is left"
}

# shellcheck disable=SC2317 # called through wait_for
# agent_pid NAME: the agent in vmbench $VPID's container (docker: below the
# container's PID 1, which the engine names; lxc: below vmbench), not
# another test's
agent_pid()
{
	local root=$VPID
	if [ "$1" = docker ]; then
		root=$($DOCKER inspect --format '{{.State.Pid}}' "vmbench-$VPID-container" 2>/dev/null)
	fi
	[ -n "$root" ] && [ "$root" != 0 ] || return 1
	# the deepest: a split run's client agent is vmbench's own child
	agents_below "$root" | tail -1
}

# restart NAME RUNTIME-OPTIONS: the agent killed during a cpu run; the
# instance starts again, with the pair made again, and the net run works
restart()
{
	local name=$1
	bg_start "$T/re$name.out" "$T/re$name.err" "$VMBENCH" run -q --db "$T/re$name.db" \
		-t container -T "$2,network=veth,workdir=$W" -w cpu --set time=6s \
		-w net --set "time=1s,client-cpus=$CCPU"
	TPID=$BG_PID
	VPID=""
	# shellcheck disable=SC2317
	agent_up()
	{
		[ -n "$VPID" ] || VPID=$(proc_children "$TPID")
		[ -n "$VPID" ] && APID=$(agent_pid "$name") && [ -n "$APID" ]
	}
	APID=""
	if wait_for 60 agent_up; then
		sleep 1
		kill -KILL "$APID"
	else
		not_ok "$name: the container's agent runs within 60 s" "$(cat "$T/re$name.err")"
	fi
	finish_server
	# (on a loaded host the kill may land in the net run: then it fails and
	# its retry is the one that needs the new pair)
	is "$(db_query "$T/re$name.db" "select (select count(*) from run where status = 'failed')
		|| ' ' || (select count(*) from run where workload = 'net' and status = 'ok' and
		id > (select min(id) from run where status = 'failed'))")" "1 1" \
		"$name: the run whose agent was killed fails, the restarted container serves net"
	diag "$name: $(db_query "$T/re$name.db" "select group_concat(workload || ':' || status ||
		coalesce(' (' || error || ')', ''), ', ') from (select * from run order by id)")"
	is "$(namespaces_of "$VPID" | wc -l)" 0 "$name: no namespace is left"
}

# --- docker ------------------------------------------------------------------
vb run -q --db "$T/remote.db" -t container \
	-T "runtime=docker,network=veth,docker-host=tcp://127.0.0.1:9,workdir=$W" -w net
is "$RC" 1 "docker: network=veth with an engine elsewhere fails"
like "$ERR" "network=veth needs the engine on this host .*tcp://127.0.0.1:9" \
	"and says it needs a local engine"
if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
	skip "runtime=docker" "docker.io is not installed"
elif ! dockerd_start; then
	not_ok "a private dockerd starts" "$(tail -5 "$D/log")"
else
	DRT="runtime=docker,docker-host=$DOCKERD_HOST"
	vb run --dry-run -t container -T "$DRT,network=veth" -w net
	like "$OUT" "run --rm --interactive --init --network=none " "docker: the dry run shows --network=none"
	like "$OUT" "inspect '--format=\{\{.State.Pid\}\}' vmbench-" "the container's PID asked of the engine"
	like "$OUT" "link set eth0 netns /proc/CONTAINER_PID/ns/net" "and the veth end moved into its namespace"
	net_run docker "$DRT"
	restart docker "$DRT"
	interrupt INT docker "$DRT"
	interrupt KILL docker "$DRT"
	is "$($DOCKER network ls --format '{{.Driver}}' | sort -u | tr '\n' ' ')" "host null " \
		"docker: the engine has no bridge network"
	dockerd_stop
fi

# --- lxc ---------------------------------------------------------------------
if ! command -v lxc-execute >/dev/null; then
	skip "runtime=lxc" "lxc is not installed"
else
	vb run --dry-run -t container -T runtime=lxc,network=veth -w net
	like "$OUT" "lxc.net.0.type = empty" "lxc: the dry run shows a namespace of lxc's own"
	like "$OUT" "CONTAINER_PID: the first process below lxc-execute" "how its PID 1 is found"
	like "$OUT" "link set eth0 netns /proc/CONTAINER_PID/ns/net" "and the veth end moved in"
	net_run lxc runtime=lxc
	restart lxc runtime=lxc
	interrupt INT lxc runtime=lxc
	interrupt KILL lxc runtime=lxc
	if "$VMBENCH" doctor 2>/dev/null | grep -q 'debian ready'; then
		net_run lxc-system "runtime=lxc,rootfs=debian,launch-timeout=200s"
	else
		skip "an LXC system container" "no cached Debian root (scripts/lxc-rootfs.sh)"
	fi
fi

done_testing
