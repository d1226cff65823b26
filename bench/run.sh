#!/usr/bin/env bash
# Read load on the platform, measured with wrk against a trivial axum handler (the ceiling) on the same machine and
# runtime; see README "Performance".
#
#   bench/run.sh                                   the demo, loaded into a temporary data folder (SQLite)
#   bench/run.sh --data DIR                        a data folder as it is (its SQLite database and keys)
#   bench/run.sh --data DIR --database-url URL     that folder's keys with that database (postgres://…)
#   bench/run.sh --database-url URL                the demo loaded into that empty database, keys in a temporary folder
#   bench/run.sh --data DIR --demo                 load the demo into DIR first (nothing changes if it is there)
#
# Environment: DURATION (15s), CONNECTIONS (64), THREADS (2), BENCH_PORT (18080), BENCH_CEILING_PORT (18081),
# BENCH_USER (admin: the project lists, one project, statistics), BENCH_TOWNSHIP_USERS (xxt.purchaser lq.purchaser
# wdh.purchaser: home page and work queue), BENCH_PASSWORD (the demo's), BENCH_MAX_URLS (20000 per endpoint), BENCH_MAX_PAGES (400 pages read of each list),
# BENCH_ONLY (an extended regular expression: only the endpoints whose name matches, besides the ceiling),
# BENCH_LIMIT (items a list page asks for, `limit=N` on every list URL; unset: the lists' default of 50),
# BENCH_SERVER_WRAP (a command the server, not the ceiling, runs under: `chrt --batch 0`, `taskset -c 0`),
# BENCH_KEEP=1 (keep the work folder: wrk's full output, the URL lists, the server's log), CARGO_TARGET_DIR,
# BENCH_BIN (a shanzhi binary to serve instead of this checkout's build: another commit's, for an A/B run).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${BENCH_PORT:-18080}
CEILING_PORT=${BENCH_CEILING_PORT:-18081}
USER_NAME=${BENCH_USER:-admin}
TOWNSHIP_USERS=${BENCH_TOWNSHIP_USERS:-xxt.purchaser lq.purchaser wdh.purchaser}
PASSWORD=${BENCH_PASSWORD:-yiling-2013}
MAX_URLS=${BENCH_MAX_URLS:-20000}
# Pages read of each list to learn the ids and cursors (400 pages of 50: 20,000 items, whatever the store holds).
MAX_PAGES=${BENCH_MAX_PAGES:-400}
ONLY=${BENCH_ONLY:-}
LIMIT=${BENCH_LIMIT:-}
[[ -z $LIMIT || $LIMIT =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_LIMIT must be a whole number" >&2; exit 2; }

die() {
  echo "bench: $*" >&2
  exit 2
}
log() { echo "bench: $*" >&2; }

DATA_DIR=""
DB_URL=${SHANZHI_DATABASE_URL:-}
LOAD_DEMO=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --data) [[ $# -ge 2 ]] || die "--data needs a folder"; DATA_DIR=$2; shift 2 ;;
    --database-url) [[ $# -ge 2 ]] || die "--database-url needs a URL"; DB_URL=$2; shift 2 ;;
    --demo) LOAD_DEMO=1; shift ;;
    -h | --help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

for tool in wrk curl jq shuf awk cargo; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (wrk: apt-get install wrk; jq: apt-get install jq)"
done
[[ -r /proc/self/status ]] || die "/proc is needed to sample the server's memory"

case $DB_URL in
  postgres://* | postgresql://*) BACKEND=postgres ;;
  "" | sqlite:*) BACKEND=sqlite ;;
  *) die "--database-url must start with sqlite: or postgres://" ;;
esac

WORK=$(mktemp -d -t shanzhi-bench.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    log "work folder kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The release binary and the ceiling, built as the README says.
log "building the release binary and the ceiling…"
(cd "$ROOT" && cargo build --release --quiet -p shanzhi --bin shanzhi && cargo build --release --quiet -p shanzhi-web --example ceiling) ||
  die "the release build failed"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${BENCH_BIN:-$TARGET/release/shanzhi}
CEILING_BIN=$TARGET/release/examples/ceiling
[[ -x $BIN && -x $CEILING_BIN ]] || die "no binary at $BIN or $CEILING_BIN"

if [[ -z $DATA_DIR ]]; then
  DATA_DIR=$WORK/data
  LOAD_DEMO=1
fi
ARGS=(--data "$DATA_DIR")
[[ -n $DB_URL ]] && ARGS+=(--database-url "$DB_URL")
if [[ $LOAD_DEMO == 1 ]]; then
  log "loading the demo…"
  SHANZHI_LOG=warn "$BIN" "${ARGS[@]}" demo >"$WORK/demo.log" 2>&1 || { tail -5 "$WORK/demo.log" >&2; die "the demo did not load"; }
fi

BASE=http://127.0.0.1:$PORT
CEILING=http://127.0.0.1:$CEILING_PORT
for url in "$BASE" "$CEILING"; do
  if curl -s -o /dev/null --max-time 2 "$url/"; then die "something already answers at $url (BENCH_PORT, BENCH_CEILING_PORT)"; fi
done

# BENCH_SERVER_WRAP: a command the server runs under (e.g. `chrt --batch 0`, `taskset -c 0`), the ceiling not.
# shellcheck disable=SC2086
SHANZHI_LOG=warn ${BENCH_SERVER_WRAP:-} "$BIN" "${ARGS[@]}" serve --addr "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
"$CEILING_BIN" "127.0.0.1:$CEILING_PORT" >"$WORK/ceiling.log" 2>&1 &
PIDS+=("$!")

# Waits for /healthz: 200 once the server serves and its database answers.
wait_healthy() {
  local url=$1 pid=$2 log_file=$3 i
  for ((i = 0; i < 240; i++)); do
    if curl -fs -o /dev/null --max-time 2 "$url/healthz"; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -20 "$log_file" >&2; die "the server at $url exited"; }
    sleep 0.25
  done
  tail -20 "$log_file" >&2
  die "no healthy answer from $url/healthz within 60 s"
}
wait_healthy "$BASE" "$SERVER_PID" "$WORK/server.log"
wait_healthy "$CEILING" "${PIDS[1]}" "$WORK/ceiling.log"

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
IDLE_RSS=$(rss_kb "$SERVER_PID")
# The server's resident memory, sampled five times a second; the peak is kept in a file.
echo "$IDLE_RSS" >"$WORK/rss-peak"
(
  peak=$IDLE_RSS
  while kill -0 "$SERVER_PID" 2>/dev/null; do
    now=$(rss_kb "$SERVER_PID")
    if [[ -n $now && $now -gt $peak ]]; then
      peak=$now
      echo "$peak" >"$WORK/rss-peak"
    fi
    sleep 0.2
  done
) &
PIDS+=("$!")

# Sign-in: a bearer token over the API, a session cookie through the sign-in form (its CSRF token and pre-session
# cookie first), as README "API" and "Accounts and sign-in" describe.
api_token() {
  curl -fsS --max-time 30 -H 'content-type: application/json' \
    -d "$(jq -nc --arg u "$1" --arg p "$PASSWORD" '{username: $u, password: $p}')" "$BASE/api/v1/session" |
    jq -er .token || die "$1 cannot sign in over the API"
}
page_cookie() {
  local jar=$WORK/jar-$1 csrf
  csrf=$(curl -fsS --max-time 30 -c "$jar" "$BASE/sign-in" | grep -o -m1 'name="_csrf" value="[0-9a-f]*"' | sed 's/.*value="//; s/"$//')
  [[ -n $csrf ]] || die "no CSRF token on the sign-in form"
  curl -fsS --max-time 30 -b "$jar" -c "$jar" -o /dev/null --data-urlencode "_csrf=$csrf" \
    --data-urlencode "username=$1" --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" "$BASE/sign-in" ||
    die "$1 cannot sign in through the form"
  awk '$6 == "sz_session" { print "sz_session=" $7 }' "$jar" | tail -1 | grep . || die "$1 got no session cookie"
}

log "signing in…"
TOKEN=$(api_token "$USER_NAME")
COOKIE=$(page_cookie "$USER_NAME")
AUTH="Bearer $TOKEN"

# What the data holds, read through the API as BENCH_USER: lists are read whole, or page by page when they answer
# with a keyset page ({"items": […], "next_cursor": …}) — then every page's path is a URL of its own.
api() { curl -fsS --max-time 120 -H "Authorization: $AUTH" "$BASE$1"; }
page_all() {
  local path=$1 pages=$2 url=$1 page next sep n=0
  while [[ -n $url && $n -lt $MAX_PAGES ]]; do
    echo "$url" >>"$pages"
    page=$(api "$url") || die "GET $url failed"
    jq -c 'if type == "array" then .[] else (.items // .data // [])[] end' <<<"$page"
    next=$(jq -r 'if type == "object" then (.next_cursor // .next // empty) else empty end' <<<"$page")
    [[ -z $next || $next == null ]] && break
    if [[ $next == /* ]]; then
      url=$next
    else
      sep='?'
      [[ $path == *\?* ]] && sep='&'
      url="$path${sep}cursor=$(jq -rn --arg c "$next" '$c | @uri')"
    fi
    n=$((n + 1))
  done
}
log "reading what the data holds…"
page_all /api/v1/projects "$WORK/project-pages" >"$WORK/projects.jsonl"
page_all /api/v1/notices "$WORK/notice-pages" >"$WORK/notices.jsonl"
jq -r '.id' "$WORK/projects.jsonl" | awk -v n="$MAX_URLS" 'NR <= n' >"$WORK/project-ids"
jq -r '.step // empty' "$WORK/projects.jsonl" | sort -u >"$WORK/steps"
jq -r '.kind // empty' "$WORK/notices.jsonl" | sort -u >"$WORK/kinds"
# Every place, walked one level at a time (the API answers the places directly under one place).
: >"$WORK/regions"
level=$(api /api/v1/regions | jq -r '.[].code')
while [[ -n $level ]]; do
  printf '%s\n' $level >>"$WORK/regions"
  next=""
  for code in $level; do
    next+=" $(api "/api/v1/regions?parent=$code" | jq -r '.[].code' | tr '\n' ' ')"
  done
  level=$(echo $next)
done
api /api/v1/statistics | jq -r '.trend[].year' | sort -u >"$WORK/years"
[[ -s $WORK/years ]] || date +%Y >"$WORK/years"
PROJECTS=$(wc -l <"$WORK/projects.jsonl")
NOTICES=$(wc -l <"$WORK/notices.jsonl")
log "$PROJECTS projects, $NOTICES notices, $(wc -l <"$WORK/regions") regions, years $(paste -sd' ' "$WORK/years")"

# Every combination of no filter or one value of each key: `combine PATH KEY FILE [KEY FILE …]`.
combine() {
  local lines=$WORK/combine.$$
  echo "$1" >"$lines"
  shift
  while [[ $# -ge 2 ]]; do
    awk -v key="$1" 'NR == FNR { v[++n] = $0; next }
      { print; sep = index($0, "?") ? "&" : "?"; for (i = 1; i <= n; i++) print $0 sep key "=" v[i] }' "$2" "$lines" >"$lines.next"
    mv "$lines.next" "$lines"
    shift 2
  done
  cat "$lines"
  rm -f "$lines"
}
# At most MAX_URLS of them, in random order.
cap() { shuf -n "$MAX_URLS"; }

URLS=$WORK/urls
mkdir -p "$URLS"
seq 1 10000 | sed 's|^|/c/|' >"$URLS/ceiling"
combine /notices kind "$WORK/kinds" region "$WORK/regions" year "$WORK/years" | cap >"$URLS/notices-page"
{ combine /api/v1/notices kind "$WORK/kinds" region "$WORK/regions" year "$WORK/years"; cat "$WORK/notice-pages"; } |
  sort -u | cap >"$URLS/notices-api"
combine /projects step "$WORK/steps" region "$WORK/regions" year "$WORK/years" | cap >"$URLS/projects-page"
{ combine /api/v1/projects step "$WORK/steps" region "$WORK/regions" year "$WORK/years"; cat "$WORK/project-pages"; } |
  sort -u | cap >"$URLS/projects-api"
sed 's|^|/api/v1/projects/|' "$WORK/project-ids" >"$URLS/project"
# Search by words: the titles' 300 commonest two-character words, alone and with a kind, one of 30 places or a year;
# and the issue's own query, 养老, page after page as a reader follows them and with each filter.
jq -r '.title' "$WORK/projects.jsonl" | grep -oP '\p{Han}{2}' | sort | uniq -c | sort -rn | awk 'NR <= 300 { print $2 }' |
  jq -Rr '@uri' >"$WORK/words"
shuf -n 30 "$WORK/regions" >"$WORK/some-regions"
combine /notices q "$WORK/words" kind "$WORK/kinds" region "$WORK/some-regions" year "$WORK/years" | grep 'q=' |
  cap >"$URLS/search-notices"
combine /projects q "$WORK/words" region "$WORK/some-regions" year "$WORK/years" | grep 'q=' | cap >"$URLS/search-projects"
YANGLAO=$(jq -rn '"养老" | @uri')
page_all "/api/v1/notices?q=$YANGLAO" "$WORK/yanglao-pages" >/dev/null
{ sed 's|^/api/v1/notices|/notices|' "$WORK/yanglao-pages"
  combine "/notices?q=$YANGLAO" kind "$WORK/kinds" region "$WORK/regions" year "$WORK/years"; } | sort -u | cap >"$URLS/search-yanglao"
if [[ -n $LIMIT ]]; then
  for list in notices-page notices-api projects-page projects-api search-notices search-projects search-yanglao; do
    awk -v n="$LIMIT" '{ print $0 (index($0, "?") ? "&" : "?") "limit=" n }' "$URLS/$list" >"$URLS/$list.limited"
    mv "$URLS/$list.limited" "$URLS/$list"
  done
fi
sed 's|^|/api/v1/statistics?year=|' "$WORK/years" >"$URLS/statistics"
combine /api/v1/statistics year "$WORK/years" region "$WORK/regions" | grep 'year=.*region=' | cap >"$URLS/statistics-region"
{ echo /api/v1/sector; sed 's|^|/api/v1/sector?region=|' "$WORK/regions"; } | cap >"$URLS/sector"
: >"$URLS/home"
: >"$URLS/queue"
for u in $TOWNSHIP_USERS; do
  township_cookie=$(page_cookie "$u")
  township_token=$(api_token "$u")
  printf '/\tCookie: %s\n' "$township_cookie" >>"$URLS/home"
  printf '/api/v1/queue\tAuthorization: Bearer %s\n' "$township_token" >>"$URLS/queue"
done

# Open data: the release feed's pages as a harvester follows links.next (each page's own address), and the record
# of each process they name.
: >"$URLS/ocds-feed"
: >"$WORK/ocids"
url=/api/ocds/releases
n=0
while [[ -n $url && $n -lt $MAX_PAGES ]]; do
  echo "$url" >>"$URLS/ocds-feed"
  page=$(curl -fsS --max-time 120 "$BASE$url") || die "GET $url failed"
  jq -r '.releases[].ocid' <<<"$page" >>"$WORK/ocids"
  url=$(jq -r '.links.next // empty' <<<"$page" | sed -E 's|^https?://[^/]*||')
  n=$((n + 1))
done
sort -u "$WORK/ocids" | cap | sed 's|^|/api/ocds/records/|' >"$URLS/ocds-record"

# name | base | URL list | auth | cookie | target
ENDPOINTS=(
  "ceiling (trivial axum handler)|$CEILING|ceiling|||-"
  "GET /notices (public page, filters)|$BASE|notices-page|||list"
  "GET /api/v1/notices (public, filters)|$BASE|notices-api|||list"
  "GET /projects (page, signed in)|$BASE|projects-page||$COOKIE|list"
  "GET /api/v1/projects|$BASE|projects-api|$AUTH||list"
  "GET /notices?q=W (public search, filters)|$BASE|search-notices|||search"
  "GET /notices?q=养老 (its pages, filters)|$BASE|search-yanglao|||search"
  "GET /projects?q=W (public project search, filters)|$BASE|search-projects|||search"
  "GET /api/v1/projects/{id}|$BASE|project|$AUTH||list"
  "GET / (township purchaser's home)|$BASE|home|||queue"
  "GET /api/v1/queue (township purchaser)|$BASE|queue|||queue"
  "GET /api/v1/statistics?year=Y|$BASE|statistics|$AUTH||statistics"
  "GET /api/v1/statistics?year=Y&region=C|$BASE|statistics-region|$AUTH||statistics"
  "GET /api/v1/sector?region=C (sector overview)|$BASE|sector|$AUTH||statistics"
  "GET /api/ocds/releases (open data, 100 a page)|$BASE|ocds-feed|||-"
  "GET /api/ocds/records/{ocid} (open data)|$BASE|ocds-record|||-"
)

ROWS=()
CEILING_RPS=""
for e in "${ENDPOINTS[@]}"; do
  IFS='|' read -r name base list auth cookie target <<<"$e"
  if [[ -n $ONLY && $list != ceiling && ! $name =~ $ONLY ]]; then continue; fi
  # Distinct requests: paths, or paths with the user they are asked as.
  distinct=$(sort -u "$URLS/$list" | wc -l)
  log "$name: $distinct distinct requests, $DURATION at $CONNECTIONS connections"
  out=$WORK/wrk-$list.txt
  BENCH_URLS=$URLS/$list BENCH_AUTH=$auth BENCH_COOKIE=$cookie \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$HERE/spread.lua" "$base" >"$out" 2>&1 ||
    { cat "$out" >&2; die "wrk failed on $name"; }
  line=$(grep '^BENCH ' "$out") || { cat "$out" >&2; die "wrk gave no summary for $name"; }
  field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
  requests=$(field requests)
  rps=$(awk -v r="$requests" -v d="$(field duration_us)" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
  p99_ms=$(awk -v u="$(field p99_us)" 'BEGIN { printf "%.1f", u / 1000 }')
  non2xx=$(field non2xx)
  errors=$(field socket_errors)
  [[ $list == ceiling ]] && CEILING_RPS=$rps
  ratio=$(awk -v r="$rps" -v c="$CEILING_RPS" 'BEGIN { printf "%.1f %%", 100 * r / c }')
  case $target in
    list) goal="≥ 25 % of ceiling, p99 ≤ 20 ms"; met=$(awk -v r="$rps" -v c="$CEILING_RPS" -v p="$p99_ms" 'BEGIN { print (r >= 0.25 * c && p <= 20) ? "yes" : "no" }') ;;
    queue | search) goal="p99 ≤ 50 ms"; met=$(awk -v p="$p99_ms" 'BEGIN { print (p <= 50) ? "yes" : "no" }') ;;
    statistics) goal="p99 ≤ 100 ms"; met=$(awk -v p="$p99_ms" 'BEGIN { print (p <= 100) ? "yes" : "no" }') ;;
    *) goal="—"; met="—" ;;
  esac
  [[ $errors -gt 0 ]] && non2xx="$non2xx (+$errors socket errors)"
  ROWS+=("| \`$name\` | $rps | $p99_ms ms | $ratio | $non2xx | $distinct | $goal | $met |")
done

PEAK_MB=$(awk '{ printf "%.0f", $1 / 1024 }' "$WORK/rss-peak")
IDLE_MB=$(awk -v k="$IDLE_RSS" 'BEGIN { printf "%.0f", k / 1024 }')
RSS_MET=$(awk -v m="$PEAK_MB" 'BEGIN { print (m <= 300) ? "yes" : "no" }')
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(git -C "$ROOT" status --porcelain 2>/dev/null) ]] && COMMIT="$COMMIT (with uncommitted changes)"
[[ -n ${BENCH_BIN:-} ]] && COMMIT="$COMMIT, serving $BENCH_BIN"
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
DATE=$(date +%F)
if [[ $LOAD_DEMO == 1 && $DATA_DIR == "$WORK/data" ]]; then DATA="the demo, loaded for this run"; else DATA="$DATA_DIR"; fi

REPORT=$(
  echo "# Read load, $DATE, $BACKEND"
  echo
  echo "- data: $DATA ($PROJECTS projects, $NOTICES notices as \`$USER_NAME\` reads them); database: $BACKEND"
  echo "- commit $COMMIT; $(nproc) cores ($CPU); wrk -t$THREADS -c$CONNECTIONS -d$DURATION on the same machine; list pages of ${LIMIT:-50} items"
  echo "- server resident memory: peak $PEAK_MB MB (after start $IDLE_MB MB); target ≤ 300 MB: $RSS_MET"
  echo
  echo "| endpoint | requests/s | p99 | of the ceiling | non-2xx | distinct requests | target | met |"
  echo "|---|---:|---:|---:|---:|---:|---|---|"
  printf '%s\n' "${ROWS[@]}"
)
mkdir -p "$HERE/results"
RESULT=$HERE/results/$DATE-$BACKEND.md
echo "$REPORT" >"$RESULT"
echo
echo "$REPORT"
echo
log "written to ${RESULT#"$ROOT"/}"
