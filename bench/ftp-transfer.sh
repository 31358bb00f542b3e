#!/usr/bin/env bash
# FTP transfer benchmark, side by side with curl against the same local vsftpd (.ci/vsftpd.sh, in a
# directory of its own): a SIZE_MIB file up and down,
#  1. cold: one `junction ftp put|get` JVM per transfer (the CLI's summary-line rate, which excludes
#     JVM start-up but includes class loading, JIT warm-up, login and the size check/rename),
#     interleaved with curl -T / curl -o, REPEAT times;
#  2. warm: bench/FtpWarmBench.java, one JVM, REPEAT measured rounds after one warm-up round, each
#     round Junction's streams, curl and plain commons-net interleaved; medians and ratios;
#  3. a 1 GiB round trip with -Xmx64m and a GC log: the largest heap after a GC.
# Uploads are also timed with curl giving `ftp put`'s guarantee (a temporary name, renamed once the
# upload completed: curl -T .x.part -Q "-RNFR .x.part" -Q "-RNTO x"): vsftpd answers 226 before it
# closes the file, and on ext4 that close flushes a truncated-then-written file (auto_da_alloc),
# which any command after STOR waits for and plain curl, which sends none, does not. With
# JUNCTION_VSFTPD_DIR on a tmpfs (e.g. /dev/shm/ftp-bench) the server's disk is out of the figures.
# Every upload, Junction's and curl's, goes to a name not yet on the server (removed, untimed, after
# its round): replacing an existing 200 MiB file makes the server free its blocks, which curl pays in
# STOR's truncation and a safe upload in its rename, so timing it would compare the file system.
# Needs root for vsftpd. Prints the load average before and after; see docs/PERFORMANCE.md "FTP".
# With BEFORE_CLASSES=dir (target/classes of another build, e.g. main before a change) the cold runs
# also time that build's `ftp put|get`, interleaved, for a before/after in one run.
#   bench/ftp-transfer.sh [SIZE_MIB=200] [REPEAT=3]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-200}; REPEAT=${2:-3}
export JUNCTION_VSFTPD_DIR=${JUNCTION_VSFTPD_DIR:-$(mktemp -d /tmp/junction-bench-vsftpd.XXXXXX)}
chmod 755 "$JUNCTION_VSFTPD_DIR"; work=$(mktemp -d)
trap '.ci/vsftpd.sh stop; rm -rf "$work" "$JUNCTION_VSFTPD_DIR"' EXIT
port=$(.ci/vsftpd.sh)
[ -f target/classes/io/junction/Main.class ] || mvn -B -q -o compile
[ -f target/bench.classpath ] || mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="target/classes:$(cat target/bench.classpath)"
junction() { java ${JAVA_OPTS:-} -cp "$cp" io.junction.Main "$@"; }
before() { java -cp "$BEFORE_CLASSES:$(cat target/bench.classpath)" io.junction.Main "$@"; }
rate() { grep -E "^$1 " | awk '{print $(NF-3)}'; }
url="ftp://anonymous@127.0.0.1:$port/pub"
head -c $((SIZE * 1048576)) /dev/urandom > "$work/file.bin"
# vsftpd's own rate (xferlog; excludes login, SIZE, rename: only the bytes on the data connection) of each upload's data phase (xferlog), median per client, MiB/s
xfer_medians() {
  grep "OK UPLOAD" "$1" | grep -v big.bin | sed -E 's/.*"\/pub\/([^"]+)", [0-9]+ bytes, ([0-9.]+)Kbyte.*/\1 \2/' |
    sed -E 's/^(\.?[a-z]+)[0-9]+\.bin/\1.bin/' |
    awk '{ n[$1]++; v[$1, n[$1]] = $2 / 1024 }
         END { split("o.bin.part=before-cli j.bin.part=cli-put c.bin=curl w.bin.part=streams f.bin.part=fromFile r.bin=commons-net s.bin.part=curl-rename-after m.bin.part=memory-stream", m, " ");
               for (i in m) { split(m[i], kv, "="); k = "." kv[1]; if (!(k in n)) k = kv[1]; if (!(k in n)) continue;
                 c = n[k]; for (a = 1; a <= c; a++) s[a] = v[k, a];
                 for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++) if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
                 printf " %s %.0f", kv[2], (c % 2 ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2) } }'
}
mibps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }
echo "size ${SIZE} MiB, $(/usr/sbin/vsftpd -v 0>&1 2>/dev/null | head -1) on 127.0.0.1:$port, $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
b=$((SIZE * 1048576))
for i in $(seq 1 "$REPEAT"); do
  # Junction: the summary line is "put file.bin: N bytes (...) in S s, R MiB/s"
  if [ -n "${BEFORE_CLASSES:-}" ]; then
    o_up=$(before ftp put "$work/file.bin" "$url/o$i.bin" | rate put)
    o_down=$(before ftp get "$url/o$i.bin" "$work/o.out" | rate get)
    cmp -s "$work/file.bin" "$work/o.out" || { echo "content differs (before)" >&2; exit 1; }
    was="before up $(mibps $b $o_up) down $(mibps $b $o_down) | "
  else was=""; fi
  j_up=$(junction ftp put "$work/file.bin" "$url/j$i.bin" | rate put)
  c_up=$(curl -s -o /dev/null -T "$work/file.bin" "$url/c$i.bin" -w '%{time_total}')
  # curl with the guarantee `ftp put` gives: upload under a temporary name, rename once complete
  s_up=$(curl -s -o /dev/null -T "$work/file.bin" "$url/.s$i.bin.part" -Q "-RNFR .s$i.bin.part" -Q "-RNTO s$i.bin" -w '%{time_total}')
  j_down=$(junction ftp get "$url/j$i.bin" "$work/j.out" | rate get)
  c_down=$(curl -s -o "$work/c.out" "$url/c$i.bin" -w '%{time_total}')
  cmp -s "$work/file.bin" "$work/j.out" && cmp -s "$work/file.bin" "$work/c.out" || { echo "content differs" >&2; exit 1; }
  for k in j_up:$j_up c_up:$c_up s_up:$s_up j_down:$j_down c_down:$c_down; do
    echo "$(mibps $b "${k#*:}")" >> "$work/cold-${k%%:*}"
  done
  echo "cold run $i: ${was}junction up $(mibps $b $j_up) down $(mibps $b $j_down) | curl up $(mibps $b $c_up) down $(mibps $b $c_down) | curl rename-after up $(mibps $b $s_up) MiB/s (load $(cut -d' ' -f1 /proc/loadavg))"
  rm -f "$work/j.out" "$work/c.out" "$work/o.out"
  rm -f "$JUNCTION_VSFTPD_DIR"/anon/pub/[ocjs]"$i".bin # untimed: the next round uploads to new names
done
med() { sort -n "$work/cold-$1" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
echo "cold median MiB/s: put $(med j_up) | curl -T $(med c_up) | curl -T renaming after $(med s_up) || get $(med j_down) | curl -o $(med c_down)"
awk -v p="$(med j_up)" -v c="$(med c_up)" -v s="$(med s_up)" -v g="$(med j_down)" -v d="$(med c_down)" \
  'BEGIN { printf "cold ratio: put/curl %.2f put/curl-renaming-after %.2f get/curl %.2f\n", p / c, p / s, g / d }'
java ${JAVA_OPTS:-} -cp "$cp" bench/FtpWarmBench.java "$url/" "$work/file.bin" "$REPEAT" 2>/dev/null | grep -E '^warm'
echo "load after transfers: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "1 GiB round trip with -Xmx64m (fails with OutOfMemoryError if memory grew with the file):"
head -c $((1024 * 1048576)) /dev/zero > "$work/big.bin"
rm -f "$work/file.bin"
JAVA_OPTS="-Xmx64m -XX:+UseSerialGC -Xlog:gc:file=$work/gc.log" junction ftp put "$work/big.bin" "$url/big.bin"
JAVA_OPTS="-Xmx64m -XX:+UseSerialGC -Xlog:gc:file=$work/gc2.log" junction ftp get "$url/big.bin" "$work/big.out"
cmp -s "$work/big.bin" "$work/big.out" && echo "1 GiB content identical"
echo "largest heap after GC (MiB): $(cat "$work"/gc*.log | grep -oE -- '->[0-9]+M' | tr -dc '0-9\n' | sort -n | tail -1)"
echo "vsftpd's own upload data-phase rate, medians (MiB/s):$(xfer_medians "$JUNCTION_VSFTPD_DIR/vsftpd.log")"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
