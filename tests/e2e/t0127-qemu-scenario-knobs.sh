#!/usr/bin/env bash
# The knobs the storage scenarios need, in one guest booted twice under TCG:
# the guest's I/O scheduler (set by the agent, stored as the guest's fact), an
# IOThread's poll-max-ns, dd over the same region twice (passes = 2, each
# pass measured), a new instance and disk for each run (fresh-setup: two
# boots, two vCPU threads), the host time series sampled during the runs
# (sample-interval) in the JSON and in report --format series, and an A/A
# twin added by aa = on.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require qemu qemu-img kernel agent

DB=$T/results.db
W=$T/work
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-scenario-knobs
repeat = 2
timeout = 60s
fresh-setup = on
sample-interval = 500ms

[variant vm]
target = qemu
machine = q35
accel = tcg
mem = 256M
boot-timeout = 120s
disk = file
size = 64M
cache = none
aio = threads
iothread = on
iothread-poll-max-ns = 0
scheduler = mq-deadline
workdir = $W

[workload dd]
type = dd
filename = serial:vbdata
bs = 64k
count = 256
direct = on
passes = 2
INI

VB_TIMEOUT=240 vb run -q --db "$DB" "$T/plan.ini" --format json
is "$RC" 0 "the plan runs (exit 0)"
printf '%s\n' "$OUT" >"$T/out.json"
J=$T/out.json
is "$(json_eval "$J" 'len([r for r in d["runs"] if r["status"] == "ok"])')" 2 "two runs are ok"
is "$(json_eval "$J" '",".join(r["spec"]["target"]["boot"]["guest"]["scheduler"]["active"] for r in d["runs"])')" \
	"mq-deadline,mq-deadline" "the guest's disk ran under mq-deadline (boot.guest.scheduler)"
is "$(json_eval "$J" 'len(set(str(r["spec"]["target"]["vcpu_threads"]) for r in d["runs"]))')" 2 \
	"fresh-setup: each run had a guest of its own"
is "$(json_eval "$J" 'all(r["metrics"]["pass1_mb_per_s"] > 0 and r["metrics"]["pass2_mb_per_s"] > 0 for r in d["runs"])')" \
	True "passes=2: both passes are measured"
is "$(json_eval "$J" 'all(r["metrics"]["mb_per_s"] == r["metrics"]["pass2_mb_per_s"] and r["metrics"]["bytes"] == 256 * 65536 for r in d["runs"])')" \
	True "the run's own figures are the last pass's, over the same 16 MiB"
like "$(db_query "$DB" "select qemu_argv from variant where name = 'vm'")" \
	'-object iothread,id=vbio0,poll-max-ns=0 .*vmbench.scheduler=vbdata:mq-deadline|vmbench.scheduler=vbdata:mq-deadline.*-object iothread,id=vbio0,poll-max-ns=0' \
	"QEMU got poll-max-ns=0 and the guest kernel the scheduler"
is "$(json_eval "$J" 'all(len(r["series"]["t_s"]) >= 1 and len(r["series"]["t_s"]) == len(r["series"]["host_iowait_pct"]) for r in d["runs"])')" \
	True "every run has a host time series with iowait"
is "$(json_eval "$J" 'all("qemu_vcpu_cpu_pct" in r["series"] for r in d["runs"])')" True \
	"the series holds QEMU's CPU by thread role"
vb report --db "$DB" --format series
is "$RC" 0 "report --format series exits 0"
like "$OUT" '^experiment,run,variant,workload,repeat,t_s,name,value' "series CSV header"
like "$OUT" '^1,[0-9]+,vm,dd,2,[0-9.]+,host_iowait_pct,' "series CSV rows of the second repeat"
is "$(procs_with qemu-system-x86_64 "$W")" "" "no QEMU of this test is left"
is "$(find "$W" -name 'vbdata*' 2>/dev/null)" "" "no image vmbench made is left"

# aa = on with a native variant: the twin, and the noise floor from the pair
cat >"$T/aa.ini" <<INI
[experiment]
name = e2e-aa
repeat = 2
aa = on
sample-interval = 0

[variant n]
target = native
workdir = $T/n

[workload cpu]
max-prime = 2000
time = 200ms
INI
vb run -q --db "$T/aa.db" "$T/aa.ini"
is "$RC" 0 "aa=on: the plan runs"
is "$(db_query "$T/aa.db" "select group_concat(name) from variant")" "n,n-aa" "aa=on adds the twin n-aa"
is "$(db_query "$T/aa.db" "select count(*) from run_series")" 0 "sample-interval=0: no series"
vb report --db "$T/aa.db"
like "$OUT" 'from the A/A pair n, n-aa' "the noise floor comes from the A/A pair"
done_testing
