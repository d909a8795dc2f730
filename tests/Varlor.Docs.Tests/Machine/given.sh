# Sourced by machine.sh: the host the docs start from. Always Debian's PostgreSQL 15 cluster "main" on port 5432
# (created as the postgresql-15 package does when missing); with "database" also the service's role and database;
# with "production" also the service's role varlor_prod owning database
# varlor, varlor-server (staged by the test beforehand with ./install into $checkout/artifacts/install) copied to
# /opt/varlor-server and running as OS user varlor with storage in /var/www/varlor/storage and logs in
# /var/log/varlor, two tenants with a few uploads, and an S3 store on the backup network with its access keys in
# /etc/varlor/aws-credentials. Nothing here is a step of the docs.
set -euo pipefail
install -d -o postgres -g postgres -m 2775 /run/postgresql
pg_lsclusters -h | grep -q '^15 \+main ' || pg_createcluster 15 main
pg_ctlcluster 15 main start
[ "$profile" = bare ] && return 0
service_password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE varlor_prod LOGIN PASSWORD '$service_password';
CREATE DATABASE varlor OWNER varlor_prod;
SQL
# "database": the service's role and empty database, its password in root's ~/.pgpass (as the README sets it up).
if [ "$profile" = database ]; then
  (umask 077; echo "127.0.0.1:5432:varlor:varlor_prod:$service_password" >>/root/.pgpass)
  return 0
fi
id -u varlor >/dev/null 2>&1 || useradd --system --home-dir /var/www/varlor --shell /usr/sbin/nologin varlor
install -d -o varlor -g varlor -m 0750 /var/www/varlor /var/www/varlor/storage /var/log/varlor
install -d -m 0755 /etc/varlor
cp -r "$checkout/artifacts/install/varlor-server" /opt/varlor-server
admin_key=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
install -m 0600 /dev/null /etc/varlor/server.env
cat >/etc/varlor/server.env <<ENV
VARLOR_DB='Host=127.0.0.1;Port=5432;Database=varlor;Username=varlor_prod;Password=$service_password'
VARLOR_STORAGE=/var/www/varlor/storage
VARLOR_LOGS=/var/log/varlor
VARLOR_ADMIN_KEY=$admin_key
VARLOR_URLS=http://127.0.0.1:5080
ENV
server() { (set -a; . /etc/varlor/server.env; set +a; exec runuser -u varlor -- env HOME=/var/www/varlor DOTNET_CLI_HOME=/tmp dotnet /opt/varlor-server/varlor-server.dll "$@"); }
server migrate
declare -A keys
for tenant in acme globex; do keys[$tenant]=$(server tenant add "$tenant" | awk '/API key/ {print $NF}'); done
server run >/var/log/varlor/console.out 2>&1 &
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:5080/health >/dev/null && break; sleep 0.5; done
curl -sf http://127.0.0.1:5080/health
for tenant in acme globex; do
  for n in 1 2 3; do
    printf 'id,amount,customer\n' >/tmp/upload.csv
    for i in $(seq 1 200); do printf '%d,%d.%02d,%s-customer-%d\n' "$i" $((i * n)) $((i % 100)) "$tenant" "$i"; done >>/tmp/upload.csv
    curl -sf -H "X-Api-Key: ${keys[$tenant]}" -F file=@/tmp/upload.csv -F name="sales-$n" http://127.0.0.1:5080/api/v1/datasets >/dev/null
  done
done
rm -f /tmp/upload.csv
# An S3-compatible store on the backup network (s3rver, from .ci/install-deps, as objects.backup.lan:7480) and
# the access keys its administrator issued, in a root-only file.
s3rver=
for candidate in /opt/varlor-test-tools/node_modules/s3rver/bin/s3rver.js "$checkout/.tools/node_modules/s3rver/bin/s3rver.js"; do
  [ -f "$candidate" ] && { s3rver=$candidate; break; }
done
[ -n "$s3rver" ] || { echo "s3rver is not installed: run .ci/install-deps"; exit 1; }
mkdir -p /srv/objects
echo '127.0.0.1 objects.backup.lan' >>/etc/hosts
NODE_OPTIONS=--openssl-legacy-provider node "$s3rver" -d /srv/objects -a 127.0.0.1 -p 7480 -s --no-vhost-buckets >/var/log/s3rver.log 2>&1 &
for _ in $(seq 1 60); do curl -s -o /dev/null http://127.0.0.1:7480/ && break; sleep 0.5; done
install -m 0600 /dev/null /etc/varlor/aws-credentials
printf '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' >/etc/varlor/aws-credentials
# The operator knows one tenant's key (e.g. from the tenant's support ticket); docs may use it as $TENANT_KEY.
install -m 0600 /dev/null /root/tenant-acme.key && echo "${keys[acme]}" >/root/tenant-acme.key
unset -f server
