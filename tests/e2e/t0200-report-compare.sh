#!/usr/bin/env bash
# vmbench report and vmbench compare on real runs: an A/A experiment (the
# same native variant twice) reports no significant difference; a clearly
# heavier workload (cpu max-prime 20000 against 2000) compared across two
# experiments is "slower" with p < 0.05; the JSON report carries the
# analysis; the CSV has one row per run x metric. About 25 s.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

DB=$T/results.db

for cmd in report compare; do
	vb $cmd -h
	is "$RC" 0 "vmbench $cmd -h exits 0"
	like "$OUT" "^usage: vmbench $cmd" "vmbench $cmd -h prints its usage on stdout"
done
vb -h
like "$OUT" '^  report ' "the command list names report"
like "$OUT" '^  compare ' "the command list names compare"

plan()
{
	# plan NAME MAX_PRIME VARIANTS...
	local name=$1 prime=$2 v
	shift 2
	printf '[experiment]\nname = %s\nrepeat = 5\n\n' "$name"
	for v in "$@"; do
		printf '[variant %s]\ntarget = native\nworkdir = %s\n\n' "$v" "$T/w$v"
	done
	printf '[workload cpu]\ntype = cpu\nmax-prime = %s\ntime = 1s\n' "$prime"
}

# --- A/A -------------------------------------------------------------------

plan aa 2000 a b >"$T/aa.ini"
aa_run()
{
	vb run "$T/aa.ini" --db "$DB" --format json -q
	printf '%s\n' "$OUT" >"$T/aa-run.json"
	AA=$(json_eval "$T/aa-run.json" 'd["experiment"]["id"]' 2>/dev/null)
	vb report "$AA" --db "$DB" --format json
	printf '%s\n' "$OUT" >"$T/aa.json"
}
aa_same()
{
	json_true "$T/aa.json" \
		'all(m["vs_baseline"]["verdict"] == 0 for w in d["analysis"]["workloads"] for v in w["variants"] if not v["baseline"] for m in v["metrics"].values())'
}
aa_run
is "$RC" 0 "report --format json of the A/A experiment exits 0"
if ! aa_same; then
	# A correct test says "different" for 5% of A/A pairs (alpha): one
	# false positive is chance, two in a row (0.25%) is a broken test.
	diag "A/A experiment $AA gave a significant difference; running it once more"
	aa_run
fi
ok_if "A/A: no significant difference on any metric" aa_same
is "$(json_eval "$T/aa.json" 'd["analysis"]["schema"]')" 1 "the JSON report has analysis schema 1"
is "$(json_eval "$T/aa.json" 'd["analysis"]["baseline"]')" a "the baseline is the first variant"
is "$(json_eval "$T/aa.json" 'd["analysis"]["comparisons"]')" 2 \
	"b against a on events_per_s and lat_p99_us: 2 comparisons"
ok_if "the analysis has n, mean, ci95 and a pooled p99 per variant" json_true "$T/aa.json" \
	'all(v["metrics"]["events_per_s"]["n"] == 5 and v["metrics"]["events_per_s"]["mean"] > 0 and v["metrics"]["events_per_s"]["ci95"] > 0 and v["latency"]["lat"]["runs"] == 5 and v["latency"]["lat"]["p99_us"] > 0 for v in d["analysis"]["workloads"][0]["variants"])'
ok_if "the pooled latency merges every repeat's histogram" json_true "$T/aa.json" \
	'all(v["latency"]["lat"]["count"] == sum(r["metrics"]["events"] if "events" in r["metrics"] else r["metrics"]["total_events"] for r in d["runs"] if r["variant"] == v["variant"]) for v in d["analysis"]["workloads"][0]["variants"])'
ok_if "the experiment itself is still there" json_true "$T/aa.json" 'len(d["runs"]) == 10'

vb report "$AA" --db "$DB"
is "$RC" 0 "report (text) exits 0"
like "$OUT" 'no significant difference' "the text report says no significant difference"
unlike "$OUT" '(faster|slower|better|worse)' "and no verdict of a difference"
like "$OUT" '^  b +5 +[0-9]+ ± [0-9.]+' "variants are rows with n and mean ± CI"
like "$OUT" '/ a +x[0-9.]+ \[[0-9.]+, [0-9.]+\] p[=<]' "b's row has its ratio to a with an interval and p"
like "$OUT" 'iowait%' "host iowait is beside the metrics"
like "$OUT" 'target_cpu%' "target CPU is beside the metrics"
like "$OUT" 'latency \(us\), pooled' "the pooled latency percentiles are shown"
like "$OUT" "database: $DB" "the text report names the database"

vb report "$AA" --db "$DB" --baseline b
like "$OUT" 'against b' "--baseline b compares against b"
vb report "$AA" --db "$DB" --baseline nope
is "$RC" 2 "an unknown baseline is a usage error"
like "$ERR" "unknown baseline variant 'nope'" "and says which"
vb report "$AA" --db "$DB" --format nope
is "$RC" 2 "an unknown format is a usage error"

vb report "$AA" --db "$DB" --format csv
is "$RC" 0 "report --format csv exits 0"
printf '%s\n' "$OUT" >"$T/aa.csv"
want=$(json_eval "$T/aa.json" 'sum(len(r["metrics"]) + len(r["telemetry"]) for r in d["runs"])')
is "$(($(wc -l <"$T/aa.csv") - 1))" "$want" "csv: one row per run x metric (telemetry included)"
like "$(head -1 "$T/aa.csv")" '^experiment,run_id,variant,workload,type,repeat,status,source,metric,value,unit$' \
	"csv header unchanged"
vb report "$AA" --db "$DB" --format csv --summary
is "$(printf '%s\n' "$OUT" | grep -c '^[0-9]*,cpu,cpu,')" 4 \
	"csv --summary: 2 variants x 2 metrics"
vb report "$AA" --db "$DB" --format json -o "$T/out.json"
is "$RC" 0 "report -o FILE exits 0"
is "$OUT" "" "report -o FILE prints nothing on stdout"
ok_if "report -o FILE writes the report" json_true "$T/out.json" '"analysis" in d'

vb show "$AA" --db "$DB"
is "$RC" 0 "show still works"
like "$OUT" 'no significant difference' "show prints the same analysis"
vb report "$AA" --db "$DB" --format html --summary
is "$RC" 2 "--summary with a format that has no such option is a usage error"
like "$ERR" "format 'html' has no options" "and says so"
vb report "$AA" --db "$DB" --format csv --set nope=1
is "$RC" 2 "an unknown format option is a usage error"
like "$ERR" 'summary' "the message lists the format's options"
vb report "$AA" --db "$DB" --format compare
is "$RC" 0 "report --format compare exits 0"
like "$OUT" '^B / A: ratio of means' "the compare format: each variant against the baseline"

# --- a clearly slower experiment ---------------------------------------------

plan heavy 20000 a >"$T/heavy.ini"
vb run "$T/heavy.ini" --db "$DB" --format json -q
is "$RC" 0 "the heavy experiment runs"
printf '%s\n' "$OUT" >"$T/heavy-run.json"
HV=$(json_eval "$T/heavy-run.json" 'd["experiment"]["id"]')

vb compare "$AA:a" "$HV:a" --db "$DB"
is "$RC" 0 "compare EXP:VARIANT EXP:VARIANT exits 0"
line=$(printf '%s\n' "$OUT" | grep '^  events_per_s')
like "$line" 'slower' "max-prime 20000 is slower than 2000 in events_per_s"
p=$(printf '%s\n' "$line" | sed -n 's/.*p\([=<]\)\([0-9.]*\).*/\2/p')
ok_if "with p < 0.05 (got p ${p:-?})" py 'import sys; sys.exit(0 if float(sys.argv[1]) < 0.05 else 1)' "${p:-1}"
like "$OUT" 'options differ: max-prime 2000 -> 20000' "compare names the options that differ"
like "$OUT" "A = $AA:a" "compare names side A"
like "$line" 'x0\.[0-9]+ \[0\.[0-9]+, 0\.[0-9]+\]' "the ratio and its interval are below 1"

vb compare "$AA:a" "$HV:a" --db "$DB" --format json
is "$RC" 0 "compare --format json exits 0"
printf '%s\n' "$OUT" >"$T/cmp.json"
ok_if "compare --format json: the two sides as one experiment with its analysis" json_true "$T/cmp.json" \
	'd["analysis"]["baseline"] == "'"$AA"':a" and [v["from"]["id"] for v in d["variants"]] == ['"$AA"', '"$HV"']'
vb compare "$AA:a" "$HV:a" --db "$DB" --format yaml
is "$RC" 2 "compare --format yaml is a usage error"

vb compare a b --db "$DB"
is "$RC" 2 "compare with a variant the newest experiment lacks is a usage error"
like "$ERR" "no variant 'b' in the newest experiment" "and says so"
vb compare "$AA:a" "$AA:b" --db "$DB" --metric events_per_s
is "$RC" 0 "compare two variants of one experiment"
like "$OUT" '^  events_per_s' "--metric shows that metric"
unlike "$OUT" '^  lat_p99_us' "and only that one"
vb compare "$AA:a" "$AA:a" --db "$DB"
is "$RC" 2 "comparing a variant with itself is a usage error"
vb compare "$AA:a" --db "$DB"
is "$RC" 2 "compare needs two variants"

done_testing
