#!/bin/sh
# Runs mqtt_bench.c: tests/bench/mqtt.sh DRIVER [5|3.1.1]. Starts a
# Mosquitto broker of its own on a free loopback port (the Debian package
# `mosquitto`), runs the benchmark through it and stops the broker.
set -eu
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 DRIVER [5|3.1.1]" >&2
  exit 2
fi
driver=$(realpath "$1")
protocol=${2:-5}
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
broker=
cleanup() {
  if [ -n "$broker" ]; then
    kill "$broker" 2>/dev/null || true
    wait "$broker" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
cp "$here/config.bench" "$here/master.c" "$here/mqtt_bench.c" "$work/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
user root
CONF
mosquitto -c "$work/mosquitto.conf" 2>"$work/mosquitto.log" &
broker=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 50 ]; then cat "$work/mosquitto.log" >&2; exit 1; fi
  sleep 0.1
done
cd "$work"
"$driver" config.bench "-fmqtt:$port:$protocol"
