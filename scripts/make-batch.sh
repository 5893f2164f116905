#!/usr/bin/env bash
# Builds a folder of homework submissions from the fixtures, for timing
# `sockspec grade` (make bench): the same twenty students as tests/grade.rs
# (correct, buggy, hostile, hard-coded port, missing files, a flake), and,
# with COUNT above 20, more copies of them (alice-2, bao-2, ...).
#   scripts/make-batch.sh DIR [COUNT] [four|four-correct]
# Writes DIR/hw.yaml (the assignment) and DIR/submissions/. With `four`:
# the classic homework of assignments/four-programs.yaml instead, two TCP
# and two UDP programs each, half the submissions with a typical bug (the
# two that cost a grader most: a client without a timeout, a UDP server
# that answers the first client); `four-correct`: all of them correct;
# `four-c`: the same homework in C (assignments/four-programs-c.yaml, each
# program compiled by its build:), with the C bugs (SIGPIPE, a segfault,
# no SO_REUSEADDR) and one submission in five that does not compile.
set -euo pipefail
dir=$1
count=${2:-20}
mode=${3:-mixed}
REPO="$(cd "$(dirname "$0")/.." && pwd)"
F="$REPO/tests/fixtures"
rm -rf "$dir/submissions"
mkdir -p "$dir/submissions"
if [ "$mode" = four-c ]; then
  cp "$REPO/assignments/four-programs-c.yaml" "$dir/hw.yaml"
  sets=(
    "tcp_server tcp_client udp_server udp_client"
    "tcp_server_fork tcp_client udp_server udp_client"
    "tcp_server_sigpipe tcp_client udp_server udp_client"
    "tcp_server_course tcp_client udp_server udp_client"
    "tcp_server_segv tcp_client udp_server udp_client"
  )
  for i in $(seq 1 "$count"); do
    read -r ts tc us uc <<<"${sets[$(( (i - 1) % ${#sets[@]} ))]}"
    d="$dir/submissions/student$(printf %03d "$i")"
    mkdir -p "$d"
    cp "$F/c/$ts.c" "$d/tcp_server.c"
    cp "$F/c/$tc.c" "$d/tcp_client.c"
    cp "$F/c/$us.c" "$d/udp_server.c"
    cp "$F/c/$uc.c" "$d/udp_client.c"
    # One in five forgets a semicolon in the client.
    if [ $(( i % 5 )) -eq 0 ]; then
      sed -i '0,/connect(/s/connect(/int oops = 1\n    connect(/' "$d/tcp_client.c"
    fi
  done
  echo "$count C four-program submissions in $dir/submissions, assignment $dir/hw.yaml"
  exit 0
fi
if [ "$mode" = four ] || [ "$mode" = four-correct ]; then
  cp "$REPO/assignments/four-programs.yaml" "$dir/hw.yaml"
  # tcp-server tcp-client udp-server udp-client, correct ones first.
  sets=(
    "thanks_server tcp_client udp_server udp_client"
    "threaded_server tcp_client udp_server udp_client"
    "no_reuseaddr tcp_client udp_server udp_client_no_timeout"
    "thanks_server tcp_client udp_server udp_client"
    "thanks_server tcp_client_no_quit udp_first_client udp_client"
    "one_client tcp_client udp_server udp_client_newline"
  )
  # four-correct: every submission correct (the first two sets).
  kinds=${#sets[@]}
  [ "$mode" = four-correct ] && kinds=2
  for i in $(seq 1 "$count"); do
    read -r ts tc us uc <<<"${sets[$(( (i - 1) % kinds ))]}"
    d="$dir/submissions/student$(printf %03d "$i")"
    mkdir -p "$d"
    cp "$F/tcp-server/$ts.py" "$d/tcp_server.py"
    cp "$F/tcp-client/$tc.py" "$d/tcp_client.py"
    cp "$F/udp-server/$us.py" "$d/udp_server.py"
    cp "$F/udp-client/$uc.py" "$d/udp_client.py"
  done
  echo "$count four-program submissions in $dir/submissions, assignment $dir/hw.yaml"
  exit 0
fi
cat > "$dir/hw.yaml" <<YAML
assignment: batch benchmark
points: { required: 1, scenarios: { tcp-server/restart: 2 } }
retries: 1
budget_s: 20
limits: { cpu_s: 1, memory_mb: 256 }
programs:
  tcp-server:
    command: python3 tcp_server.py {port} $dir/outside.txt
    reply: fixed:Thanks
    only: [tcp-server/reply, tcp-server/peer-exit, tcp-server/restart]
  udp-server:
    command: python3 udp_server.py {port}
    reply: fixed:Thanks
    only: [udp-server/reply, udp-server/empty-datagram]
YAML
students=(
  "alice tcp-server/thanks_server.py udp-server/udp_server.py"
  "bao tcp-server/threaded_server.py udp-server/udp_server.py"
  "chen tcp-server/no_reuseaddr.py udp-server/udp_server.py"
  "dana tcp-server/one_client.py udp-server/udp_server.py"
  "emil tcp-server/wrong_reply.py udp-server/udp_server.py"
  "fang tcp-server/thanks_server.py udp-server/udp_empty_quits.py"
  "gita tcp-server/thanks_server.py udp-server/udp_wrong_reply.py"
  "hugo tcp-server/thanks_server.py -"
  "ivan - -"
  "jin tcp-server/hardcoded_port_server.py udp-server/udp_server.py"
  "kai hostile/never_binds.py udp-server/udp_server.py"
  "lena hostile/wrong_port.py udp-server/udp_server.py"
  "ming hostile/ignores_sigterm.py udp-server/udp_server.py"
  "nora hostile/daemon_child.py udp-server/udp_server.py"
  "omar hostile/floods_stdout.py udp-server/udp_server.py"
  "pia hostile/spins_cpu.py udp-server/udp_server.py"
  "quan hostile/allocates.py udp-server/udp_server.py"
  "rosa hostile/writes_outside.py udp-server/udp_server.py"
  "sami flaky/first_try_wrong.py udp-server/udp_server.py"
  "tara tcp-server/thanks_server.py udp-server/udp_hardcoded_client.py"
)
for i in $(seq 0 $((count - 1))); do
  read -r name tcp udp <<<"${students[$((i % 20))]}"
  round=$((i / 20))
  [ "$round" -gt 0 ] && name="$name-$((round + 1))"
  mkdir -p "$dir/submissions/$name"
  [ "$tcp" != - ] && cp "$F/$tcp" "$dir/submissions/$name/tcp_server.py"
  [ "$udp" != - ] && cp "$F/$udp" "$dir/submissions/$name/udp_server.py"
done
echo "$count submissions in $dir/submissions, assignment $dir/hw.yaml"
