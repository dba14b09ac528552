#!/usr/bin/env bash
# The main job: builds smtpp-sink and starts it on 127.0.0.1:2525, delivering into
# ./maildir. Installs what it needs on Debian 12. Extra arguments go to smtpp-sink
# (e.g. --lmtp, --auth user:pass, --tls-cert cert.pem --tls-key key.pem, --listen ADDR:PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v cmake >/dev/null || need+=(cmake)
command -v ninja >/dev/null || need+=(ninja-build)
command -v g++ >/dev/null || need+=(g++)
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)   # STARTTLS (optional in the build)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
cmake -S . -B build/sink -G Ninja -DCMAKE_BUILD_TYPE=Release -DSMTPP_BUILD_TESTS=OFF -DSMTPP_INSTALL=OFF \
  -DSMTPP_WERROR=OFF >/dev/null  # a newer compiler's new warning must not stop the main job
cmake --build build/sink --target smtpp-sink >/dev/null
cat <<'TEXT'
smtpp-sink: messages land in ./maildir/new/. From another terminal, send one with
  printf 'Subject: hi\r\n\r\nhello\r\n' | curl -s --url smtp://127.0.0.1:2525 --mail-from a@example.org --mail-rcpt b@example.org -T -
or
  swaks --server 127.0.0.1:2525 --to b@example.org
or Python:
  python3 -c "import smtplib; smtplib.SMTP('127.0.0.1', 2525).sendmail('a@example.org', ['b@example.org'], 'Subject: hi\r\n\r\nhello\r\n')"
Stop it with Ctrl-C (SIGINT): in-flight messages are finished or aborted, never half-delivered.
TEXT
exec build/sink/examples/sink/smtpp-sink --listen 127.0.0.1:2525 --maildir ./maildir "$@"
