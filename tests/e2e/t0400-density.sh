#!/usr/bin/env bash
# vmbench density: ramps of idle instances with KSM off, then on. Native
# agents (--count 30): every step and launch is stored, the instances' PSS
# per instance is > 0, KSM's settings after the run equal those before (read
# from sysfs around it) and no agent is left; SIGINT in the middle of a KSM
# ramp stops it, keeps what was measured and restores KSM too; a plan file
# with a [density] section, its errors with their line, and ksm=on with
# hugepages=on refused. Then, when they work here, 3 builtin containers and
# 3 idle TCG guests (256M), where KSM must merge something of the guests and
# their PSS must shrink with it.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require root ksm agent

DB=$T/results.db
W=$T/work
mkdir -p "$W"
# quick steps: this checks the machinery, not the figures
QUICK="settle-interval=200ms,settle-timeout=5s,ksm-timeout=30s"
# merge-any needs PR_SET_MEMORY_MERGE (Linux 6.4+): then KSM has native
# agents' pages to merge, and the convergence wait is exercised natively too
MERGE=""
grep -q ksm_merge_any /proc/self/ksm_stat 2>/dev/null && MERGE=",merge-any=on"

# the tunables (not the counters) of KSM, one "name=value" a line
ksm_settings()
{
	local f
	for f in run pages_to_scan sleep_millisecs merge_across_nodes max_page_sharing \
		stable_node_chains_prune_millisecs use_zero_pages smart_scan advisor_mode \
		advisor_max_cpu advisor_min_pages_to_scan advisor_max_pages_to_scan \
		advisor_target_scan_time; do
		[ -e "/sys/kernel/mm/ksm/$f" ] && echo "$f=$(cat "/sys/kernel/mm/ksm/$f")"
	done
}
# agents_left DIR: live vmbench-agent processes started with this workdir
agents_left()
{
	procs_with vmbench-agent "$1"
}

vb density -h
is "$RC" 0 "density -h exits 0"
like "$OUT" '^usage: vmbench density' "density -h prints its usage"
like "$OUT" 'ksm-pages-to-scan' "density -h lists the density options"

# --- native agents, KSM off then on ----------------------------------------

BEFORE=$(ksm_settings)
VB_TIMEOUT=240 vb density -q --db "$DB" --format json -T "workdir=$W" --count 30 --ksm both \
	-s "$QUICK$MERGE"
AFTER=$(ksm_settings)
is "$RC" 0 "30 native agents, KSM off then on, exit 0"
printf '%s\n' "$OUT" >"$T/native.json"
is "$AFTER" "$BEFORE" "every KSM setting after the run equals its value before"
is "$(db_query "$DB" "select ksm, count(*) from density_step group by ksm order by ksm")" \
	"$(printf 'off|12\non|12')" "12 steps per ramp are stored (1..10 one by one, then 20 and 30)"
is "$(db_query "$DB" "select group_concat(n) from (select n from density_step where ksm='off' order by n)")" \
	"1,2,3,4,5,6,7,8,9,10,20,30" "the steps are N = 1..10, 20, 30"
is "$(db_query "$DB" "select ksm, count(*), min(idx), max(idx) from density_launch group by ksm order by ksm")" \
	"$(printf 'off|30|1|30\non|30|1|30')" "30 launch times per ramp are stored"
is "$(db_query "$DB" "select count(*) from density_step where not (pss_mib / n > 0) or pss_mib is null")" 0 \
	"the instances' PSS per instance is > 0 at every step"
is "$(db_query "$DB" "select count(*) from density_step where per_instance_mib is null or used_mib is null or available_mib is null")" 0 \
	"host used, MemAvailable and used per instance are stored at every step"
is "$(db_query "$DB" "select count(*) from density_launch where not (launch_s > 0 and launch_s < 10)")" 0 \
	"every launch time is between 0 and 10 s"
is "$(db_query "$DB" "select count(*) from density_step where ksm='on' and ksm_json is not null")" 12 \
	"the KSM ramp stores KSM's counters at every step"
ok_if "the JSON report has both ramps, KSM restored and verified" \
	json_true "$T/native.json" '[(r["ksm"], r["reached"]) for r in d["density"]["ramps"]] == [("off", 30), ("on", 30)] and d["density"]["ramps"][1]["ksm_restored"] is True and d["density"]["ramps"][1]["ksm_before"] == d["density"]["ramps"][1]["ksm_after"]'
ok_if "the KSM ramp turned KSM on with the aggressive settings meanwhile" \
	json_true "$T/native.json" 'd["density"]["ramps"][1]["ksm_during"]["run"] == "1" and d["density"]["ramps"][1]["ksm_during"]["pages_to_scan"] == "5000"'
is "$(agents_left "$W")" "" "no agent is left"
ok_if "no KSM state file is left" [ ! -e /run/vmbench/ksm-saved ]
is "$(db_query "$DB" "select status from experiment")" done "the experiment is done"

vb density --show --db "$DB"
is "$RC" 0 "density --show exits 0"
like "$OUT" 'variant native \(native\), KSM on: 30 instances; reached count=30' \
	"--show prints each ramp"
like "$OUT" 'KSM savings' "--show compares KSM off and on"
like "$OUT" 'launch \(exec -> hello\): median [0-9.]+ s, p99 [0-9.]+ s' "--show gives launch median and p99"
vb report --db "$DB" --format html -o "$T/report.html"
is "$RC" 0 "report --format html of a density experiment exits 0"
ok_if "the HTML report has the density section with its charts" \
	grep -q 'id="density".*' "$T/report.html"
for title in 'Host memory used per instance' 'PSS per instance' 'Launch time' \
	${MERGE:+'KSM burndown'}; do
	ok_if "the HTML report draws '$title'" grep -q -- "-t\">$title" "$T/report.html"
done

# --- SIGINT during a KSM ramp ----------------------------------------------

# shellcheck disable=SC2317 # called through wait_for
three_agents()
{
	[ "$(agents_left "$W/int" | wc -l)" -ge 3 ]
}
mkdir -p "$W/int"
BEFORE=$(ksm_settings)
bg_start "$T/int.out" "$T/int.err" "$VMBENCH" density --db "$T/int.db" -T "workdir=$W/int" \
	--count 30 --ksm on -s "settle-interval=500ms,settle-timeout=3s$MERGE"
TPID=$BG_PID
if wait_for 60 three_agents; then
	VPID=$(proc_children "$TPID")
	kill -INT "$VPID"
	wait "$TPID"
	is "$?" 1 "SIGINT during the ramp: exit 1"
	is "$(ksm_settings)" "$BEFORE" "SIGINT: KSM settings restored exactly"
	is "$(agents_left "$W/int")" "" "SIGINT: no agent is left"
	is "$(db_query "$T/int.db" "select status from experiment")" interrupted \
		"SIGINT: the experiment is stored as interrupted"
	like "$(cat "$T/int.err")" 'KSM settings restored' "SIGINT: vmbench says KSM was restored"
else
	not_ok "SIGINT: three agents came up" "$(cat "$T/int.err")"
fi

# --- kill -9 during a KSM ramp: the next density run restores KSM --------------

# ksm_put_back SETTINGS: writes back by hand what differs (a failed test
# must not leave KSM changed)
ksm_put_back()
{
	local line name value now
	while IFS= read -r line; do
		name=${line%%=*}
		value=${line#*=}
		now=$(cat "/sys/kernel/mm/ksm/$name")
		[ "$now" = "$value" ] && continue
		case $value in *"["*) value=${value#*[} value=${value%%]*} ;; esac
		echo "$value" >"/sys/kernel/mm/ksm/$name" 2>/dev/null
	done <<<"$1"
}
# shellcheck disable=SC2317
two_agents()
{
	[ "$(agents_left "$W/k9" | wc -l)" -ge 2 ]
}
mkdir -p "$W/k9"
BEFORE=$(ksm_settings)
bg_start "$T/k9.out" "$T/k9.err" "$VMBENCH" density -q --db "$T/k9.db" -T "workdir=$W/k9" \
	--count 30 --ksm on -s "settle-interval=500ms,settle-timeout=3s$MERGE"
TPID=$BG_PID
if wait_for 60 two_agents; then
	VPID=$(proc_children "$TPID")
	kill -KILL "$VPID"
	wait "$TPID"
	is "$(cat /sys/kernel/mm/ksm/run)" 1 "kill -9: KSM is left running (nothing could restore it)"
	ok_if "kill -9: the saved settings are in /run/vmbench/ksm-saved" \
		grep -q "^pid=$VPID\$" /run/vmbench/ksm-saved
	wait_for 5 test -z "$(agents_left "$W/k9")"
	is "$(agents_left "$W/k9")" "" "kill -9: the agents died with vmbench"
	vb density -q --db "$T/k9.db" -T "workdir=$W/k9" --count 1 --ksm on -s "$QUICK"
	is "$RC" 0 "the next density run with KSM exits 0"
	like "$ERR" "released what vmbench pid $VPID left.*restored the KSM settings saved in '/run/vmbench/ksm-saved'" \
		"it says it restored what the killed vmbench left (the journal's sweep)"
	is "$(ksm_settings)" "$BEFORE" "kill -9, then the next run: KSM settings are those before"
	ok_if "no KSM state file is left" [ ! -e /run/vmbench/ksm-saved ]
else
	not_ok "kill -9: two agents came up" "$(cat "$T/k9.err")"
fi
ksm_put_back "$BEFORE"

# --- plan file ----------------------------------------------------------------

cat >"$T/density.ini" <<INI
[experiment]
name = e2e-density-plan

[density]
count = 3
ksm = off
settle-interval = 200ms
settle-timeout = 5s

[variant agents]
target = native
workdir = $W
INI
vb density -q --db "$T/plan.db" "$T/density.ini"
is "$RC" 0 "a density plan file runs"
is "$(db_query "$T/plan.db" "select variant, count(*) from density_step group by variant")" "agents|3" \
	"its variant's 3 steps are stored"
is "$(db_query "$T/plan.db" "select name from experiment")" e2e-density-plan "its name is the plan's"
printf '[density]\ncount = 3\nbogus = 1\n\n[variant a]\ntarget = native\n' >"$T/bad.ini"
vb density -q --db "$T/plan.db" "$T/bad.ini"
is "$RC" 2 "an unknown [density] key is a usage error"
like "$ERR" 'bad.ini:3: \[density\].*bogus' "the error names the file, line and key"
printf '[variant a]\ntarget = native\n\n[workload w]\ntype = cpu\n' >"$T/bad2.ini"
vb density -q --db "$T/plan.db" "$T/bad2.ini"
is "$RC" 2 "a [workload] in a density plan is a usage error"
vb density -q --db "$T/plan.db" -t qemu -T hugepages=on --ksm on
is "$RC" 2 "ksm=on with hugepages=on is refused"
like "$ERR" 'KSM merges only anonymous private pages' "the refusal says why"

# --- containers -----------------------------------------------------------

AVAIL=$("$VMBENCH" list targets 2>&1 | sed -n '/^container:/,/^$/p' | grep 'available:')
case $AVAIL in
*"available: yes"*)
	BEFORE=$(ksm_settings)
	VB_TIMEOUT=120 vb density -q --db "$T/ct.db" -t container -T "workdir=$W/ct" --count 3 \
		--ksm both -s "$QUICK$MERGE"
	is "$RC" 0 "3 builtin containers, KSM off then on, exit 0"
	is "$(ksm_settings)" "$BEFORE" "containers: KSM settings restored exactly"
	is "$(db_query "$T/ct.db" "select count(*) from density_step where pss_mib / n > 0")" 6 \
		"containers: 3 steps per ramp with PSS per instance > 0"
	is "$(agents_left "$W/ct")" "" "containers: no agent is left"
	;;
*) skip "density of builtin containers" "target=container is unavailable: ${AVAIL#*available: }" ;;
esac

# --- TCG guests -----------------------------------------------------------

if ! have qemu || ! have kernel; then
	skip "density of TCG guests" "$(why_not qemu)$(why_not kernel)"
else
	BEFORE=$(ksm_settings)
	VB_TIMEOUT=200 vb density -q --db "$T/vm.db" --format json -t qemu \
		-T "mem=256M,accel=tcg,workdir=$W/vm" --count 3 --ksm both \
		-s "settle-interval=500ms,settle-timeout=10s,ksm-timeout=60s"
	is "$RC" 0 "3 idle TCG guests (256M), KSM off then on, exit 0"
	printf '%s\n' "$OUT" >"$T/vm.json"
	is "$(ksm_settings)" "$BEFORE" "guests: KSM settings restored exactly"
	is "$(db_query "$T/vm.db" "select ksm, count(*) from density_step group by ksm order by ksm")" \
		"$(printf 'off|3\non|3')" "guests: 3 steps per ramp are stored"
	ok_if "guests: KSM merged guest pages (pages_sharing > 0 at N=3)" \
		json_true "$T/vm.json" '[s for s in d["density"]["ramps"][1]["steps"] if s["n"] == 3][0]["ksm"]["pages_sharing"] > 0'
	ok_if "guests: their PSS at N=3 is smaller with KSM on" \
		json_true "$T/vm.json" '[s["pss_mib"] for s in d["density"]["ramps"][1]["steps"] if s["n"] == 3][0] < [s["pss_mib"] for s in d["density"]["ramps"][0]["steps"] if s["n"] == 3][0]'
	diag "$(json_eval "$T/vm.json" '[(r["ksm"], [round(s["pss_mib"] / s["n"], 1) for s in r["steps"]]) for r in d["density"]["ramps"]]') (PSS MiB per guest)"
	is "$(procs_with qemu-system-x86_64 "$W/vm")" "" "guests: no QEMU is left"
fi

done_testing
