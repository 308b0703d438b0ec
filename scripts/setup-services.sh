#!/usr/bin/env bash
# Makes sure every service the test suite needs is running: RabbitMQ (with the management plugin, which
# the tests use to create a vhost each), MariaDB, Debian's python3-oslo.messaging for interop tests and
# python3-nova for bench/api's baseline, python3-keystone for the Keystone tests.
# Installs what is missing with apt-get, starts what is stopped, and fails (never skips) when it can't.
set -euo pipefail

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] FAILED: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  if [ $apt_updated -eq 0 ]; then as_root apt-get update -qq || die "apt-get update"; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null || die "apt-get install $*"
}
wait_for() { # seconds, description, command...
  local secs=$1 what=$2; shift 2
  for _ in $(seq 1 "$secs"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  die "$what did not come up within ${secs}s"
}

# --- RabbitMQ -------------------------------------------------------------------------------------------
command -v rabbitmq-server >/dev/null || { log "installing rabbitmq-server"; apt_install rabbitmq-server; }
if ! rabbitmqctl -q status >/dev/null 2>&1; then
  log "starting RabbitMQ"
  as_root rabbitmq-server -detached || true
  wait_for 90 "RabbitMQ" rabbitmqctl -q await_startup
fi
if ! rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_management; then
  log "enabling rabbitmq_management"
  as_root rabbitmq-plugins enable rabbitmq_management >/dev/null
fi
wait_for 60 "RabbitMQ management API" curl -sf -u guest:guest http://127.0.0.1:15672/api/overview
log "RabbitMQ $(rabbitmqctl -q version) is up"

# --- MariaDB --------------------------------------------------------------------------------------------
command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || { log "installing mariadb-server"; apt_install mariadb-server; }
if ! mariadb-admin -uroot ping >/dev/null 2>&1; then
  log "starting MariaDB"
  as_root mkdir -p /run/mysqld && as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_for 60 "MariaDB" mariadb-admin -uroot ping
fi
# The tests connect over TCP as root without a password.
mariadb -uroot -h127.0.0.1 -e 'select 1' >/dev/null 2>&1 || die "MariaDB does not accept root over TCP on 127.0.0.1:3306"
log "MariaDB $(mariadb -uroot -N -e 'select version()') is up"
# The default 151 connections run out when several clusters (a Python Nova cell among them) share the server.
mariadb -uroot -h127.0.0.1 -e 'SET GLOBAL max_connections = GREATEST(@@GLOBAL.max_connections, 600)' ||
  die "could not raise MariaDB's max_connections"

# --- Python oslo.messaging (interop peer) ---------------------------------------------------------------
if ! /usr/bin/python3 -c 'import oslo_messaging' >/dev/null 2>&1; then
  log "installing python3-oslo.messaging"
  apt_install python3-oslo.messaging
fi
/usr/bin/python3 -c 'import oslo_messaging' || die "python3-oslo.messaging is not importable"
log "python3-oslo.messaging $(/usr/bin/python3 -c 'from importlib.metadata import version; print(version("oslo.messaging"))') is installed"
# --- Python openstacksdk (a real client of the API in tests) ------------------------------------------------
if ! /usr/bin/python3 -c 'import openstack' >/dev/null 2>&1; then
  log "installing python3-openstacksdk"
  apt_install --no-install-recommends python3-openstacksdk
fi
/usr/bin/python3 -c 'import openstack' || die "python3-openstacksdk is not importable"
# --- tempest's response schemas and openstackclient (API tests validate against the one and run the other) ----
if ! /usr/bin/python3 -c 'import tempest.lib.api_schema' >/dev/null 2>&1 || [ ! -x /usr/bin/openstack ]; then
  log "installing python3-tempest and python3-openstackclient"
  apt_install --no-install-recommends python3-tempest python3-openstackclient
fi
/usr/bin/python3 -c 'import tempest.lib.api_schema' || die "python3-tempest is not importable"
[ -x /usr/bin/openstack ] || die "python3-openstackclient did not install /usr/bin/openstack"
# --- Python Nova (bench/api's baseline: Debian's nova-api) -------------------------------------------------
if ! /usr/bin/python3 -c 'import nova.cmd.api' >/dev/null 2>&1; then
  log "installing python3-nova"
  apt_install --no-install-recommends python3-nova
fi
/usr/bin/python3 -c 'import nova.cmd.api' >/dev/null 2>&1 || die "python3-nova is not importable"
# --- Python Placement (bench/lifecycle's Python Nova cell schedules through it) ----------------------------
# python3-placement alone: `placement-api` would pull in uwsgi and dbconfig-common and start a system service.
if ! /usr/bin/python3 -c 'import placement.wsgi' >/dev/null 2>&1; then
  log "installing python3-placement"
  apt_install --no-install-recommends python3-placement
fi
/usr/bin/python3 -c 'import placement.wsgi' >/dev/null 2>&1 || die "python3-placement is not importable"
# --- Chromium (the live console's browser test drives it with playwright-core) -----------------------------
if [ ! -x /usr/bin/chromium ]; then
  log "installing chromium"
  apt_install chromium
fi
[ -x /usr/bin/chromium ] || die "chromium did not install /usr/bin/chromium"

# --- Python Keystone (a real identity service for the Keystone tests; served by the tests themselves) --------
# python3-keystone alone: the `keystone` package would pull in Apache and start a service we do not want.
if ! /usr/bin/python3 -c 'import keystone.server.wsgi' >/dev/null 2>&1 || [ ! -x /usr/bin/keystone-manage ]; then
  log "installing python3-keystone"
  apt_install --no-install-recommends python3-keystone
fi
/usr/bin/python3 -c 'import keystone.server.wsgi' >/dev/null 2>&1 || die "python3-keystone is not importable"
[ -x /usr/bin/keystone-manage ] || die "python3-keystone did not install /usr/bin/keystone-manage"

bash "$(dirname "$0")/setup-libvirt.sh"
