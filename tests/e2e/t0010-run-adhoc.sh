#!/usr/bin/env bash
# An ad-hoc run (-w/--set/-n): the JSON report, what the database holds, and
# how show renders it back (csv, text, json, --list).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

DB=$T/results.db
W=$T/work

vb run -T "workdir=$W" -w cpu --set max-prime=2000,time=1s -n 2 --db "$DB" --format json
is "$RC" 0 "run -w cpu -n 2 exits 0"
like "$ERR" '^\[1/2\] native / cpu #1: ok' "progress on stderr: run 1 of 2 ok"
like "$ERR" '^\[2/2\] native / cpu #2: ok' "progress on stderr: run 2 of 2 ok"
printf '%s\n' "$OUT" >"$T/run.json"
ok_if "run --format json prints one JSON document" json_true "$T/run.json" 'isinstance(d, dict)'
is "$(json_eval "$T/run.json" 'len(d["runs"])')" 2 "the JSON has 2 runs"
is "$(json_eval "$T/run.json" '[r["status"] for r in d["runs"]]')" '["ok", "ok"]' \
	"both runs have status ok"
is "$(json_eval "$T/run.json" 'sorted(r["repeat"] for r in d["runs"])')" '[1, 2]' \
	"the runs are repeats 1 and 2"
ok_if "metrics.events_per_s > 0 in every run" \
	json_true "$T/run.json" 'all(r["metrics"]["events_per_s"] > 0 for r in d["runs"])'
ok_if "metrics.total_events > 0 in every run" \
	json_true "$T/run.json" 'all(r["metrics"]["total_events"] > 0 for r in d["runs"])'
ok_if "each run took about its time=1s" \
	json_true "$T/run.json" 'all(0.5 < r["duration_s"] < 10 for r in d["runs"])'
ok_if "the spec of the runs holds the options given" \
	json_true "$T/run.json" 'all(r["spec"]["max-prime"] == 2000 and r["type"] == "cpu" for r in d["runs"])'
is "$(json_eval "$T/run.json" 'd["experiment"]["status"]')" 'done' "the experiment is done"
ok_if "the host facts are recorded" \
	json_true "$T/run.json" 'd["experiment"]["host"]["cores"] >= 1 and d["experiment"]["host"]["kernel"]'
is "$(json_eval "$T/run.json" '[v["name"] for v in d["variants"]]')" '["native"]' \
	"one variant, named native"
ok_if "the variant records the agent's hello (proto 1)" \
	json_true "$T/run.json" 'd["variants"][0]["agent"]["proto"] == 1'
ok_if "the variant records the agent's command line with its workdir" \
	json_true "$T/run.json" "'vmbench-agent' in d['variants'][0]['command'] and '$W' in d['variants'][0]['command']"

# the database, read with python3's sqlite3 rather than through vmbench
ok_if "the database file exists at --db" [ -f "$DB" ]
is "$(db_query "$DB" 'select count(*) from run')" 2 "the database has 2 run rows"
is "$(db_query "$DB" "select count(*) from run where status = 'ok' and error is null")" 2 \
	"both run rows are ok without an error"
is "$(db_query "$DB" "select count(*) from metric where name = 'events_per_s' and value > 0")" 2 \
	"the database has an events_per_s > 0 metric row for each run"
is "$(db_query "$DB" "select count(distinct run_id) from metric")" 2 "every run has metric rows"
is "$(db_query "$DB" "select unit from metric where name = 'events_per_s' limit 1")" 1/s \
	"metrics carry their unit"
is "$(db_query "$DB" 'PRAGMA journal_mode')" wal "the database is in WAL mode"
SCHEMA=$("$VMBENCH" version | sed -n 's/.*database schema \([0-9]*\).*/\1/p')
is "$(db_query "$DB" 'PRAGMA user_version')" "$SCHEMA" "the schema version (user_version) is the one vmbench version names"
is "$(db_query "$DB" "select count(*) from experiment where status = 'done' and finished >= started")" 1 \
	"one experiment, done, with its finish time"
is "$(db_query "$DB" 'select count(*) from variant')" 1 "one variant row"
ok_if "the plan text is the command line" \
	[ "$(db_query "$DB" "select count(*) from experiment where plan_text like '%max-prime=2000%'")" = 1 ]
is "$(db_query "$DB" 'PRAGMA integrity_check')" ok "the database passes integrity_check"
is "$(db_query "$DB" 'PRAGMA foreign_key_check')" "" "no dangling foreign keys"

vb show --db "$T/empty.db"
is "$RC" 1 "show on an empty database exits 1"
like "$ERR" 'holds no experiment yet' "and says the database holds no experiment yet"

# show: csv
vb show --db "$DB" --format csv
is "$RC" 0 "show --format csv exits 0"
printf '%s\n' "$OUT" >"$T/show.csv"
like "$(head -1 "$T/show.csv")" '(^|,)metric(,|$)' "the csv has a header line with a metric column"
CSV_CHECK='
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
eps = [r for r in rows if r.get("metric") == "events_per_s"]
ok = len(eps) == 2 and all(float(r["value"]) > 0 for r in eps) \
     and len({r["run_id"] for r in eps}) == 2 and all(r["status"] == "ok" for r in eps)
sys.exit(0 if ok else 1)
'
ok_if "the csv has an events_per_s row > 0 for each of the 2 runs" py "$CSV_CHECK" "$T/show.csv"
lines=$(wc -l <"$T/show.csv")
nmetric=$(db_query "$DB" 'select (select count(*) from metric) + (select count(*) from telemetry)')
is "$lines" "$((nmetric + 1))" "the csv has the header and one line per metric and telemetry row"

# show: text names the database, json matches the run's output
vb show --db "$DB"
is "$RC" 0 "show (text) exits 0"
like "$OUT" "database: $DB" "the text report names the database path"
like "$OUT" "2 runs ok, 0 failed" "the text report counts 2 ok runs"
like "$OUT" 'events_per_s' "the text report shows the headline metric"

vb show 1 --db "$DB" --format json
is "$RC" 0 "show 1 --format json exits 0"
printf '%s\n' "$OUT" >"$T/show.json"
is "$(json_eval "$T/show.json" '[(r["id"], r["metrics"]["events_per_s"]) for r in d["runs"]]')" \
	"$(json_eval "$T/run.json" '[(r["id"], r["metrics"]["events_per_s"]) for r in d["runs"]]')" \
	"show --format json gives the same runs and values as run --format json"

vb show adhoc --db "$DB" --format json
is "$RC" 0 "show NAME finds the experiment by name"

vb show --list --db "$DB"
is "$RC" 0 "show --list exits 0"
like "$OUT" '^ +1 +adhoc +done .* 2$' "show --list lists the experiment with its 2 runs"

vb show 99 --db "$DB"
is "$RC" 1 "show of a missing experiment exits 1"
like "$ERR" "no experiment '99'" "and says which one is missing"

vb show --db "$DB" --format yaml
is "$RC" 2 "show --format yaml is a usage error"
like "$ERR" "unknown format 'yaml'" "and names the format"

# the text output of run itself ends with the database path
vb run -q -T "workdir=$W" -w cpu --set max-prime=100,events=10 --db "$DB"
is "$RC" 0 "a second run into the same database exits 0"
like "$OUT" "database: $DB" "run's text output names the database path"
is "$(db_query "$DB" 'select count(*) from experiment')" 2 "the database now holds 2 experiments"

# two -w of one type: the second is named cpu-2, silently
vb run -q -T "workdir=$W" --db "$T/two.db" --format json \
	-w cpu --set max-prime=100,events=10 -w cpu --set max-prime=200,events=5
is "$RC" 0 "two -w cpu in one run exit 0"
printf '%s\n' "$OUT" >"$T/two.json"
is "$(json_eval "$T/two.json" '[(r["workload"], r["spec"]["max-prime"], r["metrics"]["total_events"]) for r in d["runs"]]')" \
	'[["cpu", 100, 10.0], ["cpu-2", 200, 5.0]]' "the second is named cpu-2 and keeps its own options"
is "$ERR" "" "two -w cpu: nothing on stderr with -q (no error for a run that works)"

# VMBENCH_DB replaces the default database path; HOME is never touched
VMBENCH_DB=$T/env.db HOME=$T/home XDG_DATA_HOME='' vb run -q -T "workdir=$W" \
	-w cpu --set max-prime=100,events=10
is "$RC" 0 "a run with VMBENCH_DB and no --db exits 0"
is "$(db_query "$T/env.db" 'select count(*) from run')" 1 "it is stored in \$VMBENCH_DB"
ok_if "nothing is written under \$HOME" [ ! -e "$T/home" ]

HOME=$T/home XDG_DATA_HOME='' VMBENCH_DB='' vb run -q -T "workdir=$W" -w cpu --set max-prime=100,events=10
is "$RC" 0 "a run without VMBENCH_DB and --db exits 0"
ok_if "it goes to ~/.local/share/vmbench/vmbench.db" [ -f "$T/home/.local/share/vmbench/vmbench.db" ]

done_testing
