#!/usr/bin/env bash
# `make demo`: start an isolated berthd, make the busybox base image, run containers with berth and the real docker CLI, clean up.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=$(mktemp -d /tmp/berth-demo-XXXXXX)
SOCK="$DIR/berth.sock"
export BERTH_HOST="unix://$SOCK" DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$DIR/docker-config"
DOCKER=$( [ -x /usr/local/bin/docker ] && echo /usr/local/bin/docker || command -v docker || true )

cleanup() {
  set +e
  [ -n "${PID:-}" ] && bin/berth rm -f $(bin/berth ps -aq) >/dev/null 2>&1
  [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  grep -o " $DIR[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  ip link del "bd$$" 2>/dev/null
  # The daemon keeps its chains across restarts (running containers need them): the demo removes them, jumps first.
  for t in filter nat raw; do
    iptables -w -t "$t" -S | grep -E -- "-j BERTH-bd$$(-DNAT)?\$" | sed 's/^-A /-D /' | while read -r rule; do
      eval "iptables -w -t $t $rule" 2>/dev/null
    done
    for c in "BERTH-bd$$" "BERTH-bd$$-DNAT"; do iptables -w -t "$t" -F "$c" 2>/dev/null; iptables -w -t "$t" -X "$c" 2>/dev/null; done
  done
  rm -rf "$DIR"
}
trap cleanup EXIT

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

bin/berthd -H "unix://$SOCK" --data-root "$DIR/data" --exec-root "$DIR/x" --bridge "bd$$" --log-level warn &
PID=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done

step bin/berth version
step bin/berth image busybox
step bin/berth images
step bin/berth run --rm --network none busybox echo "hello from a berth container"
step bin/berth run --rm --network none -e WHO=berth -w /srv -u nobody busybox sh -c 'echo "I am $(id -un) in $(pwd), WHO=$WHO, hostname $(hostname)"'
echo 'piped through stdin' | { step bin/berth run --rm -i --network none busybox tr a-z A-Z; }
step bin/berth run -d --name ticker --network none busybox sh -c 'while true; do date; sleep 1; done'
sleep 1.5
step bin/berth ps
step bin/berth logs --tail 2 ticker
step bin/berth stop -t 1 ticker
step bin/berth ps -a
set +e
step bin/berth run --rm --network none busybox sh -c 'exit 3'; echo "exit code: $?"
set -e
if [ -n "$DOCKER" ]; then
  step "$DOCKER" run --rm --network none busybox sh -c 'echo "the real docker CLI talks to berthd too"; uname -a'
  step "$DOCKER" ps -a
fi
step bin/berth rm ticker

# A page served from a bind-mounted folder through a published port, fetched from the host.
mkdir -p "$DIR/htdocs"
echo '<h1>Hello from a bind-mounted folder, served by busybox httpd in a berth container</h1>' > "$DIR/htdocs/index.html"
step bin/berth run -d --name web -p 18088:80 -v "$DIR/htdocs:/var/www/html" busybox httpd -f -p 80 -h /var/www/html
step bin/berth port web
for _ in $(seq 50); do curl -sf -o /dev/null http://localhost:18088/ && break; sleep 0.1; done
step curl -s http://localhost:18088/
step bin/berth rm -f web

# The web-server recipe from the builder issue: build it, build again (all cached), serve it on a published port.
mkdir -p "$DIR/web"
cat > "$DIR/web/Dockerfile" <<'DOCKERFILE'
# An image for running a web server
FROM busybox
MAINTAINER Ms. Nobody <nobody@example.com>
RUN mkdir -p /var/www/html /var/log/httpd && echo hello > /var/www/html/index.html
VOLUME ["/var/www/html", "/var/log/httpd"]
EXPOSE 80
CMD ["httpd", "-f", "-p", "80", "-h", "/var/www/html"]
DOCKERFILE
step bin/berth build -t web "$DIR/web"
step bin/berth build -t web "$DIR/web"
step bin/berth history web
step bin/berth run -d --name webbuilt -p 127.0.0.1:18080:80 web
for _ in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:18080/ && break; sleep 0.1; done
step curl -s http://127.0.0.1:18080/
step bin/berth rm -f -v webbuilt
echo
echo "demo done"
