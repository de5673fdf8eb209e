#!/usr/bin/env bash
# The test set-up of `make test` and `.ci/run`: installs and starts what the tests use for real, where it can.
#
#   Dovecot (dovecot-imapd, dovecot-lmtpd)  the e-mail channel's IMAP server (the tests start their own instance)
#   Chromium (Debian's chromium)            the web pages and the playground in a real browser (Playwright)
#   fonts-noto-color-emoji                  so the screenshots show ✅ ➕ 🗂 as a phone does, not empty boxes
#   PostgreSQL (postgresql)                 only when nothing answers on 127.0.0.1:5432; then trust auth on
#                                           127.0.0.1 and a database `test`
#
# It installs with apt-get, as root (or with password-less sudo), and runs `apt-get update` only when something
# is missing, so a second run takes a moment. Where nothing can be installed (no root, no apt, no network) it
# says so and exits 0: each test that needs a missing part then skips with its reason.
#
# It writes GLOS_TEST_DATABASE_URL to .test-env (read by `make test`) when PostgreSQL answers, so the store tests
# also run on PostgreSQL; a GLOS_TEST_DATABASE_URL already in the environment is kept as it is.
set -uo pipefail
cd "$(dirname "$0")/.."

ENV_FILE=.test-env
PG_URL_DEFAULT="postgresql+psycopg://postgres@127.0.0.1:5432/test"
say() { echo "setup-test: $*" >&2; }

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo -n); else as_root=(none); fi
fi
can_install() { [ "${as_root[0]:-}" != none ] && command -v apt-get >/dev/null 2>&1; }
root() { "${as_root[@]}" "$@"; }

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
have_dovecot() { command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ]; }
have_chromium() { [ -x /usr/bin/chromium ]; }
have_emoji() { [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; }

pg_ours=0  # nothing answered on 127.0.0.1:5432 at start: the server we start (or install) is ours to set up
if [ -z "${GLOS_TEST_DATABASE_URL:-}" ] && ! pg_up; then pg_ours=1; fi

missing=()
have_dovecot || missing+=(dovecot-imapd dovecot-lmtpd)
have_chromium || missing+=(chromium)
have_emoji || missing+=(fonts-noto-color-emoji)
if [ "$pg_ours" = 1 ] && ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  missing+=(postgresql)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if can_install; then
    say "installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    if ! { root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } \
      >/tmp/glos-setup-test-apt.log 2>&1; then
      say "could not install ${missing[*]} (see /tmp/glos-setup-test-apt.log): the tests that need them will skip"
    fi
  else
    say "cannot install ${missing[*]} (needs root or sudo, and apt-get): the tests that need them will skip"
  fi
fi

# PostgreSQL: when nothing answered on 127.0.0.1:5432 before (or it was installed just now), start the local
# cluster, let 127.0.0.1 in without a password (a test server: each test makes its own schema) and create the
# database `test`. A server that was already running on its own is left as it is.
if [ "$pg_ours" = 1 ] && [ "${as_root[0]:-}" != none ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  for conf in /etc/postgresql/*/main; do
    [ -d "$conf" ] || continue
    version=$(basename "$(dirname "$conf")")
    hba="$conf/pg_hba.conf"
    changed=0
    if [ -f "$hba" ] && ! grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
      say "PostgreSQL $version: trust auth for 127.0.0.1 (a test server)"
      root sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
      changed=1
    fi
    if pg_up; then  # started by its package meanwhile: read the new rule
      [ "$changed" = 0 ] || root pg_ctlcluster "$version" main reload >/dev/null 2>&1 || true
    else
      say "starting PostgreSQL $version"
      root pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 \
        || root pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
    fi
    for _ in $(seq 1 50); do pg_up && break; sleep 0.2; done
    break
  done
fi

url="${GLOS_TEST_DATABASE_URL:-}"
if [ -z "$url" ] && pg_up; then
  url="$PG_URL_DEFAULT"
  if command -v psql >/dev/null 2>&1 \
    && ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" \
      2>/dev/null | grep -q 1; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test' >/dev/null 2>&1 \
      || { [ "${as_root[0]:-}" != none ] && root su postgres -c "createdb test" >/dev/null 2>&1; } \
      || say "could not create the database test on 127.0.0.1:5432"
  fi
fi

if [ -n "$url" ]; then
  echo "GLOS_TEST_DATABASE_URL=$url" >"$ENV_FILE"
else
  : >"$ENV_FILE"
  say "no PostgreSQL on 127.0.0.1:5432: the PostgreSQL tests will skip"
fi
have_dovecot || say "no Dovecot: the IMAP tests will skip"
have_chromium || say "no Chromium: the browser tests will skip"
exit 0
