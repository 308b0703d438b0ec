#!/usr/bin/env bash
# Makes sure a libvirt daemon with the QEMU driver is running for the @nova/virt-libvirt tests (idempotent).
# Debian 12 ships the monolithic libvirtd; we install the daemon pieces, not libvirt-daemon-system (whose
# systemd units and default network need an init system this machine does not run).
set -euo pipefail

log() { printf '[setup-libvirt] %s\n' "$*"; }
die() { printf '[setup-libvirt] FAILED: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  # Other jobs may hold the dpkg lock: wait for it instead of failing.
  local opts=(-o DPkg::Lock::Timeout=600)
  if [ $apt_updated -eq 0 ]; then as_root apt-get "${opts[@]}" update -qq || die "apt-get update"; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get "${opts[@]}" install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $*"
}

SOCKET=/var/run/libvirt/libvirt-sock

# --- packages -------------------------------------------------------------------------------------------
missing=()
[ -x /usr/sbin/libvirtd ] || missing+=(libvirt-daemon)
[ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ] || missing+=(libvirt-daemon-driver-qemu)
command -v virsh >/dev/null || missing+=(libvirt-clients)
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v qemu-img >/dev/null || missing+=(qemu-utils)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt_install "${missing[@]}"
fi

# --- configuration --------------------------------------------------------------------------------------
# The QEMU driver looks the libvirt-qemu user up before it reads qemu.conf, so it must exist even though
# guests run as root here.
getent group libvirt-qemu >/dev/null || as_root groupadd --system libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
  as_root useradd --system --gid libvirt-qemu --no-create-home --home-dir /var/lib/libvirt --shell /usr/sbin/nologin libvirt-qemu
as_root mkdir -p /var/log/libvirt/qemu /var/lib/libvirt/images /var/run/libvirt
# Debian ships qemu.conf in libvirt-daemon-system, which we do not install: create it when missing.
conf=/etc/libvirt/qemu.conf
as_root mkdir -p /etc/libvirt
[ -f "$conf" ] || as_root touch "$conf"
for key in user group; do
  if ! grep -Eq "^${key} = \"root\"" "$conf"; then
    as_root sed -i -E "/^#?\s*${key}\s*=/d" "$conf"
    echo "${key} = \"root\"" | as_root tee -a "$conf" >/dev/null
  fi
done

# --- daemons --------------------------------------------------------------------------------------------
if ! pgrep -x virtlogd >/dev/null; then
  log "starting virtlogd"
  as_root virtlogd -d
fi
if ! pgrep -x libvirtd >/dev/null; then
  log "starting libvirtd"
  as_root rm -f "$SOCKET"
  as_root libvirtd -d
fi
for _ in $(seq 1 60); do
  [ -S "$SOCKET" ] && virsh -c qemu:///system version >/dev/null 2>&1 && break
  sleep 1
done
[ -S "$SOCKET" ] || die "libvirtd socket $SOCKET did not appear within 60s"
# The first connection probes QEMU's capabilities (several seconds); doing it here keeps tests quick.
virsh -c qemu:///system version >/dev/null || die "libvirtd does not answer on $SOCKET"
log "libvirtd $(libvirtd --version | awk '{print $NF}') is up on $SOCKET"
