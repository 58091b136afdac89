#!/usr/bin/env bash
# vmbench report --format html: a small experiment (two native variants, cpu
# and blkio, 3 repeats) rendered to one self-contained file, which headless
# Chromium then loads: the charts exist after rendering (one bar per variant
# and headline metric, one CDF line per variant and histogram), their
# numbers match the database, a variant named <script> does not inject, and
# a screenshot is taken. A density experiment (3 native agents, KSM left
# alone) renders its density section through every format, and its page in
# Chromium. Without chromium the browser checks are skipped.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

DB=$T/results.db
PLAN=$T/html.ini
cat >"$PLAN" <<INI
; a comment that must come out escaped: <script>alert("plan")</script> & co
[experiment]
name = e2e-html
repeat = 3

[variant a]
target = native
workdir = $T/wa

[variant b]
target = native
workdir = $T/wb

[workload cpu]
type = cpu
max-prime = 2000
time = 500ms

[workload rr]
type = blkio
filename = blkio.dat
rw = randread
size = 8M
runtime = 500ms
INI

vb run "$PLAN" --db "$DB" -q
is "$RC" 0 "the experiment runs"
# a name no plan accepts, but a database might hold: it must stay text
py '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10)
c.execute("update variant set name = ? where name = ?", ("<script>alert(1)</script>", "b"))
c.commit()' "$DB"
ok_if "variant b is renamed <script>... in the database" \
	[ "$(db_query "$DB" "select count(*) from variant where name like '<script>%'")" = 1 ]

HTML=$T/report.html
vb report --db "$DB" --format html -o "$HTML"
is "$RC" 0 "vmbench report --format html -o FILE exits 0"
ok_if "the file is written and not empty" [ -s "$HTML" ]
ok_if "it is an HTML document" grep -q '^<!DOCTYPE html>' "$HTML"
unlike "$(grep -Eio 'https?://[^"<> ]*' "$HTML")" . "no http(s):// reference anywhere in the file"
unlike "$(grep -Eo '(src|href|action|xlink:href)="[^#"][^"]*"' "$HTML")" . \
	"no src or href other than in-page anchors"
unlike "$(grep -Eio '<(script|link|iframe|img|object|embed)\b|@import|url\(' "$HTML")" . \
	"no script, link, image or CSS url(): nothing to fetch"
ok_if "the variant name is escaped" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$HTML"
ok_if "the plan text is escaped" grep -q '&lt;script&gt;alert(&quot;plan&quot;)&lt;/script&gt; &amp; co' "$HTML"

# What the charts must hold: the analysis of the same experiment (what
# --format json adds to it), and the runs' raw values.
vb report --db "$DB" --format json
is "$RC" 0 "vmbench report --format json exits 0"
printf '%s\n' "$OUT" >"$T/exp.json"
WANT=$(py '
import json, sys
a = json.load(open(sys.argv[1]))["analysis"]
bars = cdfs = 0
for w in a["workloads"]:
    for c in w["variants"]:
        bars += sum(1 for m in c["metrics"].values() if m["n"] > 0)
        cdfs += len(c.get("latency") or {})
print(bars, cdfs)' "$T/exp.json")
read -r WANT_BARS WANT_CDFS <<<"$WANT"
diag "expect $WANT_BARS bars and $WANT_CDFS CDF lines"
ok_if "the experiment has bars (>= 8) and CDFs (>= 4) to draw" \
	[ "$((${WANT_BARS:-0} >= 8 && ${WANT_CDFS:-0} >= 4))" = 1 ]

# --- a density experiment: its section in every format ---------------------

DDB=$T/density.db
mkdir -p "$T/dw"
vb density -q --db "$DDB" -T "workdir=$T/dw" --count 3 --ksm off \
	-s settle-interval=200ms,settle-timeout=3s
is "$RC" 0 "a density ramp of 3 native agents (KSM off) runs"
like "$OUT" '^variant native \(native\), KSM off: 3 instances' "density prints its ramp through the text report"
vb report --db "$DDB" --format csv
like "$OUT" '^1,,native,ksm-off,density,3,[a-z]+,density,pss_mib,' "csv: the density rows"
vb report --db "$DDB" --format json
printf '%s\n' "$OUT" >"$T/density.json"
ok_if "json: the analysis has the density section" json_true "$T/density.json" \
	'd["analysis"]["density"]["ramps"][0]["launch"]["n"] == 3'
DHTML=$T/density.html
vb density --show --db "$DDB" --format html
printf '%s\n' "$OUT" >"$DHTML"
ok_if "density --show --format html writes the page" grep -q '<section id="density">' "$DHTML"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	skip "chromium renders the report" "chromium is not installed (apt-get install chromium)"
	done_testing
fi

# Chromium as root needs --no-sandbox; nothing may go to the network.
chromium_run()
{
	timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-extensions --hide-scrollbars \
		--user-data-dir="$(mktemp -d "$T/chromium.XXXXXX")" "$@"
}

chromium_run --dump-dom "file://$HTML" >"$T/dom.html" 2>"$T/chromium.err"
ok_if "chromium --dump-dom renders the file" [ -s "$T/dom.html" ]
COUNTS=$(py '
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
print(len(re.findall(r"<svg\b", dom)), len(re.findall(r"<rect class=\"bar\"", dom)),
      len(re.findall(r"<path class=\"series step\"", dom)),
      sum(len(re.findall(r"<polyline class=\"series\"", g))
          for g in re.findall(r"<svg\b.*?</svg>", dom, re.S) if "by repeat" in g),
      len(re.findall(r"<rect class=\"cell\"", dom)),
      len(re.findall(r"<script\b", dom)), len(re.findall(r"<svg\b[^>]*>\s*<title\b", dom)))
' "$T/dom.html")
read -r NSVG NBARS NCDF NCURVE NCELLS NSCRIPT NTITLED <<<"$COUNTS"
diag "after rendering: $NSVG svg, $NBARS bars, $NCDF CDF paths, $NCURVE curves, $NCELLS heatmap cells"
is "$NBARS" "$WANT_BARS" "one bar per workload x headline metric x variant"
is "$NCDF" "$WANT_CDFS" "one CDF path per workload x histogram x variant"
is "$NCURVE" 4 "a by-repeat curve per workload and variant"
like "$(grep -o 'during the run</title>' "$T/dom.html" | head -1)" 'during the run' \
	"the host time series are drawn beside the runs"
is "$NCELLS" 4 "the heatmap has variant x workload = 4 cells"
is "$NTITLED" "$NSVG" "every chart begins with a <title>"
is "$NSCRIPT" 0 "no <script> element in the rendered DOM"

# The bars show the database's means: each bar's value against the mean of
# the metric over the ok runs, matched by the chart's title and the bar's.
ok_if "every bar's value is the mean of its runs in the database" py '
import json, re, sys
from collections import defaultdict
d = json.load(open(sys.argv[1]))
vals = defaultdict(list)
for r in d["runs"]:
    if r["status"] == "ok":
        for m, v in r["metrics"].items():
            vals[(r["workload"], m, r["variant"])].append(v)
dom = open(sys.argv[2], encoding="utf-8").read()
unesc = lambda s: s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "\x27").replace("&amp;", "&")
n = 0
for svg in re.findall(r"<svg\b.*?</svg>", dom, re.S):
    t = re.search(r"<title[^>]*>([^<]*): ([a-z0-9_]+), mean with 95% CI</title>", svg)
    if not t:
        continue
    wl, metric = unesc(t.group(1)), t.group(2)
    for v, title in re.findall(r"<rect class=\"bar\"[^>]*data-value=\"([^\"]+)\"[^>]*><title>(.*?): ", svg):
        xs = vals[(wl, metric, unesc(title))]
        mean = sum(xs) / len(xs)
        if abs(float(v) - mean) > 1e-5 * max(abs(mean), 1e-9):
            sys.exit("%s %s %s: bar %s, database mean %s" % (wl, metric, title, v, mean))
        n += 1
sys.exit(0 if n > 0 else "no bars matched")
' "$T/exp.json" "$T/dom.html"

chromium_run --dump-dom "file://$DHTML" >"$T/ddom.html" 2>>"$T/chromium.err"
is "$(grep -o '<svg\b' "$T/ddom.html" | wc -l)" 3 \
	"the density page renders its charts in chromium (used, PSS, launch CDF; no KSM burndown)"

PNG=$T/report.png
chromium_run --window-size=1280,2400 --screenshot="$PNG" "file://$HTML" >/dev/null 2>>"$T/chromium.err"
ok_if "chromium --screenshot writes a 1280x2400 PNG" py '
import struct, sys
b = open(sys.argv[1], "rb").read(32)
sys.exit(not (b[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", b[16:24]) == (1280, 2400)))
' "$PNG"
if [ -n "${VB_E2E_SCREENSHOT:-}" ]; then
	cp "$PNG" "$VB_E2E_SCREENSHOT" && diag "screenshot copied to $VB_E2E_SCREENSHOT"
fi

done_testing
