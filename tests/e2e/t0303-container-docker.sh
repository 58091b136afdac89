#!/usr/bin/env bash
# runtime=docker: with no engine the run is skipped and vmbench says how to
# start one; with a private dockerd this test starts (--iptables=false
# --bridge=none, its own data root, stopped at the end) the agent runs in an
# image vmbench imports, with the limits as Docker's flags and the workdir
# bind-mounted; a memory limit is enforced; after a run, after SIGINT and
# after kill -9 of vmbench (then the next vmbench) no container and no image
# of vmbench is left.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require root docker dockerd

# shellcheck source=tests/e2e/dockerd.sh
. "$(dirname "$0")/dockerd.sh"
W=$T/work
mkdir -p "$W"
HOST=$DOCKERD_HOST

# --- no engine: skipped, with the way to start one --------------------------------
vb run -q --db "$T/none.db" -t container -T "runtime=docker,workdir=$W,docker-host=unix://$T/nothing.sock" \
	-w cpu --set events=10
is "$RC" 3 "runtime=docker without an engine: the run is skipped (exit 3)"
like "$ERR" 'no Docker engine answers at .*nothing.sock.*dockerd --iptables=false' \
	"and the message says how to start the engine"

# --- a private engine -------------------------------------------------------------
if ! dockerd_start; then
	not_ok "a private dockerd starts" "$(tail -5 "$D/log")"
	done_testing
fi
ok "a private dockerd answers at $HOST"
mine() { dockerd_mine; }

RT="runtime=docker,docker-host=$HOST,workdir=$W"
vb_with_timeout 120 run -q --db "$T/r.db" --format json -t container \
	-T "$RT,hostname=vb-e2e-docker,mem=256M,cpus=1,cpuset=0" \
	-w cpu --set max-prime=2000,time=1s \
	-w fileio --set mode=rndrw,file-num=2,file-total-size=4M,time=1s,keep-files=on
is "$RC" 0 "cpu and fileio in a Docker container exit 0"
printf '%s\n' "$OUT" >"$T/r.json"
is "$(json_eval "$T/r.json" '[r["status"] for r in d["runs"]]')" '["ok", "ok"]' "both runs are ok"
is "$(json_eval "$T/r.json" 'd["variants"][0]["agent"]["facts"]["hostname"]')" vb-e2e-docker \
	"the agent has the configured hostname"
F="d['variants'][0]['facts']"
ok_if "facts: runtime docker, the engine's storage driver, the launch time" \
	json_true "$T/r.json" "${F}['runtime'] == 'docker' and ${F}['docker']['storage_driver'] != '' and 0 < ${F}['launch_s'] < 60"
diag "docker launch_s: $(json_eval "$T/r.json" "${F}['launch_s']")"
like "$(json_eval "$T/r.json" 'd["variants"][0]["command"]')" \
	"run --rm --interactive --init --network=none .*--memory=268435456 --memory-swap=268435456 --cpus=1 --cpuset-cpus=0 --volume=$W:/work" \
	"the limits are Docker's flags, the workdir a bind mount"
ok_if "fileio wrote into the host's workdir" [ -f "$W/test_file.0" ]
rm -f "$W"/test_file.*
is "$(mine)" "" "nothing of vmbench is left in the engine after the run"

vb_with_timeout 120 run -q --db "$T/oom.db" --format json -t container -T "$RT,mem=32M" \
	-w memory --set block-size=128M,scope=global,time=2s
is "$RC" 1 "a memory run over mem=32M fails"
printf '%s\n' "$OUT" >"$T/oom.json"
like "$(json_eval "$T/oom.json" 'd["runs"][0]["error"]')" 'memory limit' "the reason names the memory limit"
is "$(mine)" "" "nothing is left after the failed run"

# --- SIGINT and kill -9 ------------------------------------------------------------
# shellcheck disable=SC2317 # called through wait_for
vmbench_started() { VPID=$(proc_children "$TPID"); [ -n "$VPID" ]; }
# shellcheck disable=SC2317
container_up() { $DOCKER ps --format '{{.Names}}' | grep -qx "vmbench-$VPID-container"; }
for sig in INT KILL; do
	bg_start "$T/$sig.out" "$T/$sig.err" "$VMBENCH" run -q --db "$T/$sig.db" -t container \
		-T "$RT" -w cpu --set time=30s
	TPID=$BG_PID
	VPID=""
	if wait_for 10 vmbench_started && wait_for 40 container_up; then
		ok "SIG$sig: the container runs"
		kill -"$sig" "$VPID"
		wait "$TPID" 2>/dev/null
		if [ "$sig" = KILL ]; then
			vb list targets
			like "$ERR" "released what vmbench pid $VPID left.*Docker image" \
				"kill -9: the next vmbench removes the image the killed one left"
		fi
		is "$(mine)" "" "SIG$sig: no container and no image of vmbench is left"
	else
		not_ok "SIG$sig: the container runs" "$(cat "$T/$sig.err")"
	fi
done

dockerd_stop
ok_if "the private dockerd stopped" [ -z "$DPID" ]
done_testing
