#!/usr/bin/env bash
# FTP transfer benchmark: a SIZE_MIB file up and down to the same local vsftpd (.ci/vsftpd.sh),
# with Junction's streams (`junction ftp put|get`, the summary line's rate, which excludes JVM
# start-up) and with curl, REPEAT times each; then a 1 GiB round trip with -Xmx64m to show the
# heap stays bounded. Needs root for vsftpd. Results go to stdout; see docs/PERFORMANCE.md "FTP".
#   bench/ftp-transfer.sh [SIZE_MIB=200] [REPEAT=3]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-200}; REPEAT=${2:-3}
port=$(.ci/vsftpd.sh)
trap '.ci/vsftpd.sh stop' EXIT
work=$(mktemp -d); trap '.ci/vsftpd.sh stop; rm -rf "$work"' EXIT
[ -f target/classes/io/junction/Main.class ] || mvn -B -q -o compile
[ -f target/bench.classpath ] || mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="target/classes:$(cat target/bench.classpath)"
junction() { java ${JAVA_OPTS:-} -cp "$cp" io.junction.Main "$@"; }
url="ftp://anonymous@127.0.0.1:$port/pub"
head -c $((SIZE * 1048576)) /dev/urandom > "$work/file.bin"
mibps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }
echo "size ${SIZE} MiB, vsftpd on 127.0.0.1:$port, $(nproc) cores"
for i in $(seq 1 "$REPEAT"); do
  # Junction: the summary line is "put file.bin: N bytes (...) in S s, R MiB/s"
  j_up=$(junction ftp put "$work/file.bin" "$url/j.bin" | grep -E '^put ' | awk '{print $(NF-3)}')
  j_down=$(junction ftp get "$url/j.bin" "$work/j.out" | grep -E '^get ' | awk '{print $(NF-3)}')
  c_up=$(curl -s -o /dev/null -T "$work/file.bin" "$url/c.bin" -w '%{time_total}')
  c_down=$(curl -s -o "$work/c.out" "$url/c.bin" -w '%{time_total}')
  cmp -s "$work/file.bin" "$work/j.out" && cmp -s "$work/file.bin" "$work/c.out" || { echo "content differs" >&2; exit 1; }
  b=$((SIZE * 1048576))
  echo "run $i: junction up $(mibps $b $j_up) MiB/s down $(mibps $b $j_down) MiB/s | curl up $(mibps $b $c_up) MiB/s down $(mibps $b $c_down) MiB/s"
  rm -f "$work/j.out" "$work/c.out"
done
echo "1 GiB round trip with -Xmx64m (fails with OutOfMemoryError if memory grew with the file):"
head -c $((1024 * 1048576)) /dev/zero > "$work/big.bin"
rm -f "$work/file.bin"
JAVA_OPTS="-Xmx64m -XX:+UseSerialGC -Xlog:gc:file=$work/gc.log" junction ftp put "$work/big.bin" "$url/big.bin"
JAVA_OPTS="-Xmx64m -XX:+UseSerialGC -Xlog:gc:file=$work/gc2.log" junction ftp get "$url/big.bin" "$work/big.out"
cmp -s "$work/big.bin" "$work/big.out" && echo "1 GiB content identical"
echo "largest heap after GC (MiB): $(cat "$work"/gc*.log | grep -oE -- '->[0-9]+M' | tr -dc '0-9\n' | sort -n | tail -1)"
rm -f /tmp/junction-vsftpd/anon/pub/{j,c,big}.bin
