#!/bin/sh
# Installs the servers the integration suite runs against, when they are missing: Debian's
# postgresql (15), mariadb-server (10.11), redis-server, patroni (3.0) and etcd-server (3.4). Idempotent; run as root (CI does).
# Debian has no MySQL server package: the MySQL engine is tested for its exact statements.
set -eu

missing=''
# Debian keeps the server binaries in /usr/lib/postgresql/<major>/bin, off PATH.
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$missing postgresql"
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing="$missing mariadb-server"
# HighAvailability.patroni(): Patroni and a local etcd (the test's stand-in for the Kubernetes DCS).
command -v patroni >/dev/null 2>&1 || missing="$missing patroni"
command -v etcd >/dev/null 2>&1 || missing="$missing etcd-server"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"

if [ -z "$missing" ]; then
  echo "install-servers: postgresql, mariadb-server, redis-server, patroni and etcd-server are installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-servers: missing:$missing; run this script as root (it uses apt-get)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-servers: missing:$missing, and apt-get is not available to install them" >&2
  exit 1
fi
echo "install-servers: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Packaged services must not start: the tests run their own servers on free ports.
policy=/usr/sbin/policy-rc.d
created_policy=''
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  created_policy=1
fi
status=0
{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >/dev/null || status=$?
[ -z "$created_policy" ] || rm -f "$policy"
if [ "$status" -ne 0 ]; then
  echo "install-servers: apt-get failed ($status) installing$missing" >&2
  exit "$status"
fi
echo "install-servers: installed$missing"
