import io.junction.ftp.Ftp;
import io.junction.ftp.RemoteSettings;
import io.junction.ftp.RemoteUrl;
import io.junction.ftp.SafeUpload;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Warm-JVM FTP transfer benchmark, side by side and interleaved: each round uploads (every client to
 * a name not yet on the server; the round's files are removed, untimed, after it) and downloads
 * FILE with Junction's streams (FileIO -> SafeUpload.toPath; Ftp.fromPath -> FileIO.toPath, the
 * download of `junction ftp get`; chunks of the settings' buffer size), with SafeUpload.fromFile
 * (the upload of `junction ftp put`), from chunks already in memory (Source.from -> SafeUpload.toPath:
 * the upload stream without FileIO in front of it), with curl (a child process, under /usr/bin/time), and with
 * plain commons-net (same library, no streams: what Java alone costs). Each transfer's wall-clock
 * rate and CPU time (this JVM's process CPU time; curl's user+sys) are recorded: CPU per transfer
 * hardly depends on what else the machine runs, the rate does. Round 0 warms the JIT and is not
 * counted. Run by bench/ftp-transfer.sh with the project's classpath:
 *
 * <pre>java -cp CP bench/FtpWarmBench.java URL FILE ROUNDS</pre>
 *
 * URL is an ftp:// directory URL for user anonymous; -Dbuffer=BYTES sets buffer-size (64 KiB).
 * Prints a line per round and the medians.
 */
public class FtpWarmBench {
  public static void main(String[] args) throws Exception {
    RemoteUrl url = RemoteUrl.parse(args[0]);
    Path file = Path.of(args[1]);
    int rounds = Integer.parseInt(args[2]);
    RemoteSettings s =
        url.settings().withPassword("anonymous@").withBufferSize(Integer.getInteger("buffer", 65536));
    String dir = url.path().endsWith("/") ? url.path() : url.path() + "/";
    String curlBase = args[0].endsWith("/") ? args[0] : args[0] + "/";
    Path out = file.resolveSibling("warm.out");
    long size = Files.size(file);
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    for (String k : KINDS) {
      rates.put(k, new ArrayList<>());
      cpu.put(k, new ArrayList<>());
    }
    // The file already in memory as buffer-size chunks: the upload stream alone, without FileIO
    List<ByteString> chunks = new ArrayList<>();
    byte[] all = Files.readAllBytes(file);
    for (int off = 0; off < all.length; off += s.bufferSize())
      chunks.add(ByteString.fromArray(all, off, Math.min(s.bufferSize(), all.length - off)));
    all = null;
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench");
    try {
      for (int i = 0; i <= rounds; i++) {
        final int round = i;
        Map<String, double[]> r = new LinkedHashMap<>();
        r.put("streams-up", timed(size, () -> FileIO.fromPath(file, s.bufferSize())
            .runWith(SafeUpload.toPath(s, dir + "w" + round + ".bin"), system)
            .toCompletableFuture().get(5, TimeUnit.MINUTES)));
        r.put("memory-up", timed(size, () -> Source.from(chunks)
            .runWith(SafeUpload.toPath(s, dir + "m" + round + ".bin"), system)
            .toCompletableFuture().get(5, TimeUnit.MINUTES)));
        r.put("put-up", timed(size, () -> SafeUpload.fromFile(s, file, dir + "f" + round + ".bin", false, n -> {}, system)
            .toCompletableFuture().get(5, TimeUnit.MINUTES)));
        r.put("curl-up", curl(size, "-T", file.toString(), curlBase + "c" + round + ".bin", "-o", "/dev/null"));
        // curl giving the guarantee SafeUpload gives: temporary name, renamed once complete
        String part = ".s" + round + ".bin.part";
        r.put("curl-safe-up", curl(size, "-T", file.toString(), curlBase + part,
            "-Q", "-RNFR " + part, "-Q", "-RNTO s" + round + ".bin", "-o", "/dev/null"));
        r.put("java-up", timed(size, () -> javaUp(s, dir + "r" + round + ".bin", file)));
        r.put("streams-down", timed(size, () -> Ftp.fromPath(s, dir + "w" + round + ".bin")
            .runWith(FileIO.toPath(out), system)
            .toCompletableFuture().get(5, TimeUnit.MINUTES)));
        check(out, size);
        r.put("curl-down", curl(size, curlBase + "c" + round + ".bin", "-o", out.toString()));
        check(out, size);
        r.put("java-down", timed(size, () -> javaDown(s, dir + "r" + round + ".bin", out)));
        check(out, size);
        remove(s, dir, round); // untimed: every round uploads to names not yet on the server
        if (i == 0) continue; // JIT warm-up
        StringBuilder line = new StringBuilder("warm round " + i + " MiB/s (CPU ms):");
        r.forEach((k, v) -> {
          rates.get(k).add(v[0]);
          cpu.get(k).add(v[1]);
          line.append(String.format(" %s %.0f (%.0f)", k, v[0], v[1]));
        });
        System.out.println(line);
      }
    } finally {
      Files.deleteIfExists(out);
      system.terminate();
    }
    StringBuilder sb = new StringBuilder("warm median MiB/s (CPU ms):");
    KINDS.forEach(k -> sb.append(String.format(" %s %.0f (%.0f)", k, median(rates.get(k)), median(cpu.get(k)))));
    System.out.println(sb);
    double curlUp = median(rates.get("curl-up")), curlDown = median(rates.get("curl-down"));
    System.out.printf(
        "warm ratio to curl: streams-up %.2f put-up %.2f java-up %.2f | streams-down %.2f java-down %.2f%n",
        median(rates.get("streams-up")) / curlUp, median(rates.get("put-up")) / curlUp,
        median(rates.get("java-up")) / curlUp, median(rates.get("streams-down")) / curlDown,
        median(rates.get("java-down")) / curlDown);
    double curlSafe = median(rates.get("curl-safe-up"));
    System.out.printf(
        "warm ratio to curl renaming after upload (the same guarantee): streams-up %.2f memory-up %.2f put-up %.2f%n",
        median(rates.get("streams-up")) / curlSafe, median(rates.get("memory-up")) / curlSafe,
        median(rates.get("put-up")) / curlSafe);
    System.out.printf("warm ratio to curl of the upload stream alone (memory-up): %.2f%n",
        median(rates.get("memory-up")) / curlUp);
  }

  static final List<String> KINDS =
      List.of("streams-up", "memory-up", "put-up", "curl-up", "curl-safe-up", "java-up", "streams-down", "curl-down",
          "java-down");
  static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  interface Work {
    void run() throws Exception;
  }

  /** {rate MiB/s, CPU ms} of one transfer in this JVM. */
  static double[] timed(long size, Work w) throws Exception {
    long c0 = OS.getProcessCpuTime();
    long t0 = System.nanoTime();
    w.run();
    long t1 = System.nanoTime();
    return new double[] {mibps(size, t1 - t0), (OS.getProcessCpuTime() - c0) / 1e6};
  }

  /** {rate MiB/s from curl's %{time_total}, CPU ms (user + sys from /usr/bin/time)}. */
  static double[] curl(long size, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("/usr/bin/time", "-f", "cpu %U %S", "curl", "-s", "-S", "-w", "%{time_total}"));
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).start();
    String seconds = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.US_ASCII);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0)
      throw new IllegalStateException("curl failed: " + cmd + " " + err);
    String[] t = err.substring(err.lastIndexOf("cpu ")).trim().split("\\s+");
    double cpuMs = (Double.parseDouble(t[1]) + Double.parseDouble(t[2])) * 1000;
    return new double[] {mibps(size, Double.parseDouble(seconds.trim()) * 1e9), cpuMs};
  }

  /** Upload with commons-net alone: buffer-size copies, login, STOR, SIZE. */
  static void javaUp(RemoteSettings s, String path, Path file) throws Exception {
    FTPClient c = login(s);
    byte[] buf = new byte[s.bufferSize()];
    try (InputStream in = Files.newInputStream(file);
        OutputStream os = c.storeFileStream(path)) {
      for (int n; (n = in.read(buf)) > 0; ) os.write(buf, 0, n);
    }
    if (!c.completePendingCommand()) throw new IllegalStateException(c.getReplyString());
    c.getSize(path);
    c.disconnect();
  }

  /** Download with commons-net alone: buffer-size copies, login, RETR. */
  static void javaDown(RemoteSettings s, String path, Path out) throws Exception {
    FTPClient c = login(s);
    byte[] buf = new byte[s.bufferSize()];
    try (InputStream in = c.retrieveFileStream(path);
        OutputStream os = Files.newOutputStream(out)) {
      for (int n; (n = in.read(buf)) > 0; ) os.write(buf, 0, n);
    }
    if (!c.completePendingCommand()) throw new IllegalStateException(c.getReplyString());
    c.disconnect();
  }

  static void remove(RemoteSettings s, String dir, int round) throws Exception {
    FTPClient c = login(s);
    try {
      for (String k : List.of("w", "m", "f", "c", "r", "s")) c.deleteFile(dir + k + round + ".bin");
    } finally {
      c.logout();
      c.disconnect();
    }
  }

  static FTPClient login(RemoteSettings s) throws Exception {
    FTPClient c = new FTPClient();
    c.connect(s.host(), s.port());
    c.login(s.username(), "anonymous@");
    c.enterLocalPassiveMode();
    c.setFileType(FTP.BINARY_FILE_TYPE);
    return c;
  }

  static void check(Path out, long size) throws Exception {
    if (Files.size(out) != size) throw new IllegalStateException("short download: " + out);
  }

  static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  static double mibps(long bytes, double nanos) {
    return bytes / 1048576.0 / (nanos / 1e9);
  }
}
