#!/usr/bin/env bash
# Property-based tests of the console's, the citizen screen's and the fleet hub's HTTP APIs against
# their own OpenAPI documents (schemathesis): the console authenticated as each role, against the demo
# console (fake robot) on 127.0.0.1, then the screen (no accounts) against its demo (fake dialog), then
# the fleet hub (`letan fleet demo --robots 3`: real simulated robots over Zenoh on loopback) logged
# in as an admin added for the run, for HUB_MAX_TIME seconds (20 by default).
#
#   bash robot_nodes/console/scripts/schemathesis.sh            # CI: bounded (MAX_EXAMPLES=25)
#   MAX_EXAMPLES=1000 HUB_MAX_TIME=600 bash robot_nodes/console/scripts/schemathesis.sh   # a long run
#
# Needs `st` from .deps/venv (scripts/pip-packages.txt), the console_demo and screen_demo examples
# and the letan binary built (cargo build -j2 -p letan-console --example console_demo;
# cargo build -j2 -p letan-screen --example screen_demo; cargo build -j2 -p letan). Exit code 0 only
# if no check failed. Not exercised here: /api/events (a never-ending stream; tests/web_security.rs
# covers it) and /api/logout (would end the session under test), on the console and on the hub.
set -euo pipefail
cd "$(dirname "$0")/../../.."
ST=${ST:-.deps/venv/bin/st}
MAX_EXAMPLES=${MAX_EXAMPLES:-25}
BIN=${CONSOLE_DEMO:-target/debug/examples/console_demo}
[ -x "$ST" ] || { echo "schemathesis: $ST missing (bash scripts/setup.sh)"; exit 1; }
SCREEN_BIN=${SCREEN_DEMO:-target/debug/examples/screen_demo}
[ -x "$BIN" ] || { echo "schemathesis: $BIN missing (cargo build -j2 -p letan-console --example console_demo)"; exit 1; }
[ -x "$SCREEN_BIN" ] || { echo "schemathesis: $SCREEN_BIN missing (cargo build -j2 -p letan-screen --example screen_demo)"; exit 1; }
LETAN=${LETAN_BIN:-target/debug/letan}
[ -x "$LETAN" ] || { echo "schemathesis: $LETAN missing (cargo build -j2 -p letan)"; exit 1; }
HUB_MAX_TIME=${HUB_MAX_TIME:-20}
work=$(mktemp -d)
pid="" spid="" hpid=""
stop_all() {
  # the hub demo stops on SIGINT (its robots with it); SIGKILL if it has not within 5 s
  if [ -n "$hpid" ]; then
    kill -INT "$hpid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$hpid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$hpid" 2>/dev/null || true
    rm -rf "${TMPDIR:-/tmp}/letan-fleet-demo-$hpid"
  fi
  kill $pid $spid 2>/dev/null || true
  wait $pid $spid $hpid 2>/dev/null || true
  rm -rf "$work"
}
trap stop_all EXIT
# Wait for "<what> listening on http://ADDR/" in a server's stdout; prints the URL. The log file is
# created before the server starts, and a read that fails is retried: under load the background
# process may not have opened its redirection yet when the first read comes (a bare `url=$(sed …)`
# on a file not there yet failed the assignment, and `set -e` ended the script with exit 2:
# "sed: can't read /tmp/tmp.…/out", the CI failure of 2026-12-06 at dbdf9d9).
wait_url() { # what log-file pid
  local u=""
  for _ in $(seq 600); do
    u=$(sed -n "s#^$1 listening on \(http://[^ ]*\)/\$#\1#p" "$2" 2>/dev/null || true)
    [ -n "$u" ] && { echo "$u"; return 0; }
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
: >"$work/out"; : >"$work/err"
"$BIN" --port 0 --workdir "$work/demo" >"$work/out" 2>"$work/err" &
pid=$!
url=$(wait_url console "$work/out" "$pid") || { echo "schemathesis: console did not start"; cat "$work/err"; exit 1; }
login() { # user password [base url] -> "cookie csrf"
  local base=${3:-$url}
  local hdr="$work/h.$1"
  local body
  body=$(curl -sS -D "$hdr" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$base/api/login")
  local cookie csrf
  cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \(letan[a-z_]*_session=[^;]*\).*/\1/p' "$hdr")
  csrf=$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
  echo "$cookie $csrf"
}
# both sessions first: fuzzing /api/login trips the failed-login limit for 127.0.0.1 (as it should)
read -r op_cookie op_csrf < <(login operator letan-operator)
read -r vw_cookie vw_csrf < <(login viewer letan-viewer)
status=0
for who in "operator $op_cookie $op_csrf" "viewer $vw_cookie $vw_csrf"; do
  set -- $who
  # the session and CSRF schemes of the document, so that schemathesis also sends requests without them
  cat >"$work/st.toml" <<TOML
[auth.openapi.session]
api_key = "${2#letan_session=}"
[auth.openapi.csrf]
api_key = "$3"
TOML
  echo "== schemathesis as $1 (max examples $MAX_EXAMPLES per operation)"
  if ! "$ST" --config-file "$work/st.toml" run "$url/api/openapi.json" \
      --exclude-path /api/events --exclude-path /api/logout \
      --max-examples "$MAX_EXAMPLES" --request-timeout 10 --workers 1 \
      --generation-deterministic --no-color \
      ${ST_CHECKS:+--checks "$ST_CHECKS"}; then
    status=1
  fi
done
# the runs were authenticated: the audit log has accepted commands of the operator and refusals of
# the viewer (schemathesis passes 401s as valid answers, so this is checked here)
python3 - "$work/demo/demo_audit.jsonl" <<'PY' || status=1
import collections, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
c = collections.Counter((l["user"], l["outcome"]) for l in lines)
print("audit lines:", len(lines), dict(c))
ok_op = sum(1 for l in lines if l["user"] == "operator" and l["outcome"] == "ok" and l["action"] != "login")
denied_vw = c[("viewer", "denied")]
if ok_op == 0 or denied_vw == 0:
    sys.exit(f"schemathesis: not authenticated? operator ok commands {ok_op}, viewer denials {denied_vw}")
PY


: >"$work/sout"; : >"$work/serr"
"$SCREEN_BIN" --port 0 >"$work/sout" 2>"$work/serr" &
spid=$!
surl=$(wait_url screen "$work/sout" "$spid") || { echo "schemathesis: screen did not start"; cat "$work/serr"; exit 1; }
echo "== schemathesis on the citizen screen (max examples $MAX_EXAMPLES per operation)"
# the screen refuses cross-origin posts: send its own Origin, as its page does. An over-long question
# is refused with 413 (its documented answer), so 413 counts as a rejection too.
cat >"$work/screen.toml" <<TOML
[checks.negative_data_rejection]
expected-statuses = [400, 403, 404, 405, 413, 415, 422, 429]
TOML
if ! "$ST" --config-file "$work/screen.toml" run "$surl/api/openapi.json" -H "Origin: $surl" \
    --exclude-path /api/events \
    --max-examples "$MAX_EXAMPLES" --request-timeout 10 --workers 1 \
    --generation-deterministic --no-color \
    ${ST_CHECKS:+--checks "$ST_CHECKS"}; then
  status=1
fi

# ---- the fleet hub: `letan fleet demo` (three simulated robots, one per site) ----
: >"$work/hout"; : >"$work/herr"
mkdir -p "$work/hub"
# an admin (every site) in the hub's database before it starts: admins may command, upload, push and
# read the audit, so every operation is reached past its role check (the demo's own accounts are an
# operator and a viewer)
printf '%s\n' "lantern-ferry-tea-57" |
  "$LETAN" fleet add-user --db "$work/hub/fleet.db" --name admin --role admin >/dev/null
"$LETAN" fleet demo --robots 3 --port 0 --workdir "$work/hub" >"$work/hout" 2>"$work/herr" &
hpid=$!
hurl=$(wait_url "fleet hub" "$work/hout" "$hpid") || { echo "schemathesis: fleet hub did not start"; tail -c 3000 "$work/herr"; exit 1; }
read -r hop_cookie hop_csrf < <(login admin lantern-ferry-tea-57 "$hurl")
[ -n "$hop_cookie" ] && [ -n "$hop_csrf" ] || { echo "schemathesis: no hub session"; exit 1; }
cat >"$work/hub.toml" <<TOML
[auth.openapi.session]
api_key = "${hop_cookie#letan_fleet_session=}"
[auth.openapi.csrf]
api_key = "$hop_csrf"
# An upload's body is an archive: bytes that match the document's binary schema but are no zip or tar
# are refused (400), and a knowledge base with errors is 422; both are right answers to valid-looking
# data, which is all a binary schema can say.
[[operations]]
include-name = "POST /api/kb"
checks.positive_data_acceptance.expected-statuses = [200, 400, 401, 403, 413, 422]
TOML
echo "== schemathesis on the fleet hub as admin (max examples $MAX_EXAMPLES per operation, at most $HUB_MAX_TIME s)"
t_hub=$SECONDS
if ! "$ST" --config-file "$work/hub.toml" run "$hurl/api/openapi.json" \
    --exclude-path /api/logout \
    --max-examples "$MAX_EXAMPLES" --max-time "$HUB_MAX_TIME" --request-timeout 10 --workers 1 \
    --generation-deterministic --no-color \
    ${ST_CHECKS:+--checks "$ST_CHECKS"}; then
  status=1
fi
echo "fleet hub: schemathesis took $((SECONDS - t_hub)) s"
# authenticated: the hub's audit has the admin's commands answered by robots and uploads checked
python3 - "$work/hub/fleet_audit.jsonl" <<'PY' || status=1
import collections, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
c = collections.Counter((l["user"], l["action"], l["outcome"]) for l in lines)
print("hub audit lines:", len(lines), dict(c.most_common(14)))
cmds = sum(n for (u, a, o), n in c.items() if u == "admin" and a in ("teleop", "estop", "estop_release", "say", "goto") and o == "ok")
uploads = sum(n for (u, a, o), n in c.items() if u == "admin" and a == "kb_upload" and o != "denied")
if cmds == 0 or uploads == 0:
    sys.exit(f"schemathesis: not authenticated as admin? commands ok {cmds}, uploads checked {uploads}")
PY
kill -0 "$hpid" 2>/dev/null || { echo "schemathesis: the fleet hub died"; tail -c 3000 "$work/herr"; status=1; }
exit $status
