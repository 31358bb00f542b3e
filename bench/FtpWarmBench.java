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

/**
 * Warm-JVM FTP transfer benchmark, side by side and interleaved: each round uploads and downloads
 * FILE with Junction's streams (the graphs of `junction ftp put|get`: FileIO -> SafeUpload.toPath,
 * Ftp.fromPath -> FileIO.toPath, with the settings' buffer size as chunk size), with curl (a child
 * process), and with plain commons-net (same library, no streams: what Java alone costs). Round 0
 * warms the JIT and is not counted. Run by bench/ftp-transfer.sh with the project's classpath:
 *
 * <pre>java -cp CP bench/FtpWarmBench.java URL FILE ROUNDS</pre>
 *
 * URL is an ftp:// directory URL for user anonymous. Prints a line per round and the medians.
 */
public class FtpWarmBench {
  public static void main(String[] args) throws Exception {
    RemoteUrl url = RemoteUrl.parse(args[0]);
    Path file = Path.of(args[1]);
    int rounds = Integer.parseInt(args[2]);
    RemoteSettings s = url.settings().withPassword("anonymous@");
    String dir = url.path().endsWith("/") ? url.path() : url.path() + "/";
    String curlBase = args[0].endsWith("/") ? args[0] : args[0] + "/";
    Path out = file.resolveSibling("warm.out");
    long size = Files.size(file);
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    for (String k : List.of("junction-up", "curl-up", "java-up", "junction-down", "curl-down", "java-down"))
      rates.put(k, new ArrayList<>());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench");
    try {
      for (int i = 0; i <= rounds; i++) {
        Map<String, Double> r = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        FileIO.fromPath(file, s.bufferSize())
            .runWith(SafeUpload.toPath(s, dir + "w.bin"), system)
            .toCompletableFuture()
            .get(5, TimeUnit.MINUTES);
        r.put("junction-up", mibps(size, System.nanoTime() - t0));
        r.put("curl-up", mibps(size, curl("-T", file.toString(), curlBase + "c.bin", "-o", "/dev/null")));
        r.put("java-up", mibps(size, javaUp(s, dir + "r.bin", file)));
        t0 = System.nanoTime();
        Ftp.fromPath(s, dir + "w.bin")
            .runWith(FileIO.toPath(out), system)
            .toCompletableFuture()
            .get(5, TimeUnit.MINUTES);
        r.put("junction-down", mibps(size, System.nanoTime() - t0));
        check(out, size);
        r.put("curl-down", mibps(size, curl(curlBase + "c.bin", "-o", out.toString())));
        check(out, size);
        r.put("java-down", mibps(size, javaDown(s, dir + "r.bin", out)));
        check(out, size);
        if (i == 0) continue; // JIT warm-up
        StringBuilder line = new StringBuilder("warm round " + i + ":");
        r.forEach((k, v) -> {
          rates.get(k).add(v);
          line.append(String.format(" %s %.0f", k, v));
        });
        System.out.println(line + " MiB/s");
      }
    } finally {
      Files.deleteIfExists(out);
      system.terminate();
    }
    Map<String, Double> median = new LinkedHashMap<>();
    rates.forEach((k, v) -> median.put(k, median(v)));
    StringBuilder sb = new StringBuilder("warm median:");
    median.forEach((k, v) -> sb.append(String.format(" %s %.0f", k, v)));
    System.out.println(sb + " MiB/s");
    System.out.printf(
        "warm ratio junction/curl: up %.2f down %.2f | junction/plain-java: up %.2f down %.2f%n",
        median.get("junction-up") / median.get("curl-up"),
        median.get("junction-down") / median.get("curl-down"),
        median.get("junction-up") / median.get("java-up"),
        median.get("junction-down") / median.get("java-down"));
  }

  /** curl's own transfer time (%{time_total}), in nanoseconds. */
  static double curl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-S", "-w", "%{time_total}"));
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String seconds = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0)
      throw new IllegalStateException("curl failed: " + cmd);
    return Double.parseDouble(seconds.trim()) * 1e9;
  }

  /** Upload with commons-net alone: 64 KiB copies, login, STOR, SIZE; nanoseconds. */
  static double javaUp(RemoteSettings s, String path, Path file) throws Exception {
    long t0 = System.nanoTime();
    FTPClient c = login(s);
    byte[] buf = new byte[s.bufferSize()];
    try (InputStream in = Files.newInputStream(file);
        OutputStream os = c.storeFileStream(path)) {
      for (int n; (n = in.read(buf)) > 0; ) os.write(buf, 0, n);
    }
    if (!c.completePendingCommand()) throw new IllegalStateException(c.getReplyString());
    c.getSize(path);
    c.disconnect();
    return System.nanoTime() - t0;
  }

  /** Download with commons-net alone: 64 KiB copies, login, RETR; nanoseconds. */
  static double javaDown(RemoteSettings s, String path, Path out) throws Exception {
    long t0 = System.nanoTime();
    FTPClient c = login(s);
    byte[] buf = new byte[s.bufferSize()];
    try (InputStream in = c.retrieveFileStream(path);
        OutputStream os = Files.newOutputStream(out)) {
      for (int n; (n = in.read(buf)) > 0; ) os.write(buf, 0, n);
    }
    if (!c.completePendingCommand()) throw new IllegalStateException(c.getReplyString());
    c.disconnect();
    return System.nanoTime() - t0;
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
