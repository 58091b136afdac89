#!/usr/bin/env bash
# vmbench-agent driven directly over stdio (src/proto/proto.h): hello, run ->
# result with the same id, a malformed line -> error, bye -> exit 0; and
# --once for a single workload.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

AGENT=$VMBENCH_AGENT_BIN
require agent
W=$T/work
mkdir -p "$W"

# the agent under timeout, as a coprocess: AG[0] its stdout, AG[1] its stdin
coproc AG { exec timeout -k 2 30 "$AGENT" --workdir "$W" 2>"$T/agent.err"; }
AGPID=${AG_PID:?}
_bg_pids="$_bg_pids $AGPID"
AG_IN=${AG[1]}
AG_OUT=${AG[0]}

# recv FILE: reads one line (10 s at most) into FILE; fails at EOF or timeout
recv()
{
	local line
	if IFS= read -r -t 10 -u "$AG_OUT" line; then
		printf '%s\n' "$line" >"$1"
		return 0
	fi
	: >"$1"
	return 1
}
send()
{
	printf '%s\n' "$1" >&"$AG_IN"
}

ok_if "the agent says hello first" recv "$T/hello.json"
H=$T/hello.json
is "$(json_eval "$H" 'd["type"]')" hello "the first line is of type hello"
is "$(json_eval "$H" 'd["proto"]')" 1 "hello carries proto 1"
ok_if "hello carries the agent's version" json_true "$H" 'isinstance(d["agent"], str) and d["agent"]'
ok_if "hello facts: cores >= 1" json_true "$H" 'd["facts"]["cores"] >= 1'
is "$(json_eval "$H" 'd["facts"]["kernel"]')" "$(uname -r)" "hello facts: kernel = uname -r"
ok_if "hello facts: arch" json_true "$H" 'd["facts"]["arch"] == "'"$(uname -m)"'"'

send '{"type":"run","id":4242,"workload":"cpu","options":{"max-prime":"100","events":"10"}}'
ok_if "a run request gets an answer" recv "$T/result.json"
R=$T/result.json
is "$(json_eval "$R" 'd["type"]')" result "the answer is a result"
is "$(json_eval "$R" 'd["id"]')" 4242 "the result has the request's id"
is "$(json_eval "$R" 'd["status"]')" ok "the result's status is ok"
is "$(json_eval "$R" 'd["metrics"]["total_events"]["value"]')" 10.0 "events=10 -> total_events 10"
ok_if "metrics carry value, unit and agg" \
	json_true "$R" 'd["metrics"]["events_per_s"]["unit"] == "1/s" and d["metrics"]["events_per_s"]["agg"] and d["metrics"]["events_per_s"]["value"] > 0'

send 'this is { not json'
ok_if "a malformed line gets an answer" recv "$T/err1.json"
is "$(json_eval "$T/err1.json" 'd["type"]')" error 'a malformed line -> {"type":"error"}'

send '{"type":"run","id":7,"workload":"nope","options":{}}'
ok_if "a run of an unknown workload gets an answer" recv "$T/bad.json"
is "$(json_eval "$T/bad.json" '(d["type"], d["id"], d["status"])')" '["result", 7, "failed"]' \
	"an unknown workload -> a failed result with the same id"
like "$(json_eval "$T/bad.json" 'd["error"]')" nope "the failed result names the workload"

send '{"type":"run","id":8,"workload":"cpu","options":{"bogus":"1"}}'
ok_if "a run with an unknown option gets an answer" recv "$T/bad2.json"
is "$(json_eval "$T/bad2.json" '(d["id"], d["status"])')" '[8, "failed"]' \
	"an unknown option -> a failed result"
like "$(json_eval "$T/bad2.json" 'd["error"]')" bogus "the failed result names the option"

send '{"type":"frobnicate"}'
ok_if "an unknown request type gets an answer" recv "$T/err2.json"
is "$(json_eval "$T/err2.json" 'd["type"]')" error "an unknown request type -> error"

send '{"type":"run","id":9,"workload":"cpu","options":{"max-prime":"100","events":"5"}}'
recv "$T/again.json"
is "$(json_eval "$T/again.json" '(d["id"], d["status"], d["metrics"]["total_events"]["value"])')" \
	'[9, "ok", 5.0]' "the agent still serves runs after errors"

# bye with stdin still open: the agent must leave by itself
send '{"type":"bye"}'
# shellcheck disable=SC2317 # called through wait_for
agent_gone()
{
	! kill -0 "$AGPID" 2>/dev/null
}
if wait_for 5 agent_gone; then
	wait "$AGPID" 2>/dev/null
	is "$?" 0 "bye: the agent exits with 0 (stdin still open)"
else
	kill -KILL "$AGPID" 2>/dev/null
	not_ok "bye: the agent exits within 5 s" "it was still running"
fi
is "$(cat "$T/agent.err")" "" "the agent wrote nothing on stderr"

# end of stdin also ends it with 0
printf '' | timeout -k 2 10 "$AGENT" --workdir "$W" >"$T/eof.out" 2>&1
is "$?" 0 "end of stdin: the agent exits 0"
is "$(wc -l <"$T/eof.out")" 1 "end of stdin: only the hello was written"

# --once
timeout -k 2 30 "$AGENT" --once cpu max-prime=100,events=10 >"$T/once.json" 2>"$T/once.err"
is "$?" 0 "--once cpu exits 0"
is "$(json_eval "$T/once.json" 'd["metrics"]["total_events"]["value"]')" 10.0 \
	"--once cpu max-prime=100,events=10 prints total_events 10"
is "$(json_eval "$T/once.json" 'd["status"]')" ok "--once prints status ok"

timeout -k 2 30 "$AGENT" --once cpu bogus=1 >"$T/once2.json" 2>/dev/null
is "$?" 1 "--once with an unknown option exits 1"
is "$(json_eval "$T/once2.json" 'd["status"]')" failed "and prints a failed result"

timeout -k 2 10 "$AGENT" --no-such-flag >/dev/null 2>"$T/usage.err" </dev/null
is "$?" 2 "an unknown agent flag exits 2"
like "$(cat "$T/usage.err")" '^usage: vmbench-agent' "and prints the usage on stderr"

timeout -k 2 10 "$AGENT" --version >"$T/version" 2>&1 </dev/null
like "$(cat "$T/version")" '^vmbench-agent .*\(protocol 1\)' "vmbench-agent --version names protocol 1"

done_testing
