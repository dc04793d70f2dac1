#!/bin/sh
# Installs what the integration suite runs, when it is missing, from Debian's packages:
#   postgresql (15), mariadb-server (10.11), redis-server and redis-sentinel (7.0), patroni (3.0),
#   etcd-server (3.4), python3-torch (1.13, CPU), openssl (test certificates), and the programs some
#   `npm test` suites skip without (test/support/tools.ts): busybox and dash (the scripts' shells), git
#   (the upgrade guard), python3 (the shipped Python) and graphviz (`dot`, the topology diagrams).
# Idempotent; run as root (CI does). Debian has no MySQL server package: the MySQL engine is tested
# for its exact statements. Packaged services are not started: the tests run their own servers.
set -eu

# "<package> <test>" where <test> is a shell condition that holds when the package is installed.
needs='postgresql|ls /usr/lib/postgresql/*/bin/pg_ctl
mariadb-server|command -v mariadbd || [ -x /usr/sbin/mariadbd ]
redis-server|command -v redis-server
redis-sentinel|command -v redis-sentinel
patroni|command -v patroni
etcd-server|command -v etcd
python3-torch|/usr/bin/python3 -c "import torch"
busybox|command -v busybox
dash|command -v dash
git|command -v git
python3|command -v python3
graphviz|command -v dot
openssl|command -v openssl'

missing=''
while IFS='|' read -r package test; do
  sh -c "$test" >/dev/null 2>&1 || missing="$missing $package"
done <<NEEDS
$needs
NEEDS

if [ -z "$missing" ]; then
  echo "install-servers: everything the integration suite needs is installed"
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
# shellcheck disable=SC2086 # one word per package
{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >/dev/null || status=$?
[ -z "$created_policy" ] || rm -f "$policy"
if [ "$status" -ne 0 ]; then
  echo "install-servers: apt-get failed ($status) installing$missing" >&2
  exit "$status"
fi
echo "install-servers: installed$missing"
