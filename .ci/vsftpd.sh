#!/usr/bin/env bash
# Starts Debian's vsftpd on 127.0.0.1 for the interop test (VsftpdInteropTest), with a config of
# its own: anonymous login, a writable directory pub/, on a free port. Must run as root (vsftpd
# drops privileges to the `ftp` user). Prints the port; the test reads it from $DIR/port.
#   .ci/vsftpd.sh start   (default)      .ci/vsftpd.sh stop
set -euo pipefail
DIR="${JUNCTION_VSFTPD_DIR:-/tmp/junction-vsftpd}"

stop() {
  if [ -f "$DIR/pid" ]; then kill "$(cat "$DIR/pid")" 2>/dev/null || true; rm -f "$DIR/pid"; fi
}

if [ "${1:-start}" = stop ]; then stop; exit 0; fi
command -v vsftpd >/dev/null || [ -x /usr/sbin/vsftpd ] || { echo "vsftpd is not installed (apt-get install -y vsftpd)" >&2; exit 1; }
stop
mkdir -p "$DIR/anon/pub" /var/run/vsftpd/empty
chown root:root "$DIR/anon" && chmod 555 "$DIR/anon"   # vsftpd refuses a writable anonymous root
chown ftp:ftp "$DIR/anon/pub" && chmod 755 "$DIR/anon/pub"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)))
cat > "$DIR/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$DIR/anon
local_enable=NO
write_enable=YES
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_umask=022
pasv_enable=YES
pasv_address=127.0.0.1
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
secure_chroot_dir=/var/run/vsftpd/empty
xferlog_enable=YES
vsftpd_log_file=$DIR/vsftpd.log
CONF
/usr/sbin/vsftpd "$DIR/vsftpd.conf" >"$DIR/stdout" 2>&1 &
echo $! > "$DIR/pid"
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port" > "$DIR/port"; echo "$port"; exit 0; fi
  sleep 0.1
done
echo "vsftpd did not start; see $DIR/stdout and $DIR/vsftpd.log" >&2
cat "$DIR/stdout" >&2 || true
exit 1
