package io.junction.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.ChildNode;
import io.junction.testing.ClusterApi;
import io.junction.testing.DelayProxy;
import io.junction.testing.HttpApi;
import io.junction.testing.NetworkLab;
import io.junction.testing.QueueClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Junction nodes in child JVMs, each in a network namespace of its own ({@link NetworkLab}),
 * sharing an H2 journal server in another namespace: a real network between the nodes, which
 * partition and slow-link tests can cut or slow. Node {@code n} (1..) is at {@code 10.A.B.(10 +
 * n)}, cluster port {@value #CLUSTER_PORT} (fixed ports are safe: every node has an address of its
 * own), HTTP API on a free port with a bearer token (its address is not loopback). {@link #close()}
 * kills every process and removes the network, also after a failure.
 */
final class NamespacedCluster implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int CLUSTER_PORT = 25520;
  private static final int H2_PORT = 9092;
  private static final int BOOT_SECONDS = 120;
  private final String token = "ns-" + UUID.randomUUID();
  private final Duration requestTimeout;
  private final NetworkLab lab;
  private final Path dir;
  private Process h2;
  private String journal;
  private final List<NetworkLab.Host> hosts = new ArrayList<>();
  private final List<String> addresses = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final Map<NetworkLab.Host, DelayProxy> proxies = new HashMap<>();
  private final List<Node> started = new ArrayList<>(); // every process, restarted ones too

  /** One node: its namespace, cluster address, process and API. */
  record Node(
      String name, NetworkLab.Host host, String address, Path dir, ChildNode process, HttpApi api)
      implements ClusterApi.Member {
    boolean alive() {
      return process.process().isAlive();
    }
  }

  private NamespacedCluster(NetworkLab lab, Path dir, Duration requestTimeout) {
    this.lab = lab;
    this.dir = dir;
    this.requestTimeout = requestTimeout;
  }

  /**
   * Starts the journal and {@code count} nodes and waits until all are Up; {@code requestTimeout}
   * is how long a publish waits for its queue before the client gets 503. The nodes numbered in
   * {@code proxied} (1..) are reached by the others only through a {@link DelayProxy} on the
   * bridge: they advertise its address as their cluster address and listen behind it.
   */
  static NamespacedCluster start(int count, Duration requestTimeout, Set<Integer> proxied)
      throws Exception {
    NetworkLab lab = NetworkLab.create();
    NamespacedCluster c =
        new NamespacedCluster(
            lab, Files.createTempDirectory("junction-ns-cluster"), requestTimeout);
    try {
      c.boot(count, proxied);
      return c;
    } catch (Exception | Error e) {
      try {
        c.close();
      } catch (Exception | Error suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void boot(int count, Set<Integer> proxied) throws Exception {
    NetworkLab.Host db = lab.addHost(0);
    startH2(db);
    journal =
        "kind = h2, h2.url = \"jdbc:h2:tcp://%s:%d/./junction;WRITE_DELAY=0\""
            .formatted(db.address(), H2_PORT);
    for (int i = 1; i <= count; i++) {
      NetworkLab.Host h = lab.addHost(i);
      hosts.add(h);
      if (proxied.contains(i)) {
        DelayProxy p =
            DelayProxy.start(lab.gateway(), new InetSocketAddress(h.address(), CLUSTER_PORT));
        proxies.put(h, p);
        addresses.add(lab.gateway() + ":" + p.port());
      } else addresses.add(h.address() + ":" + CLUSTER_PORT);
    }
    // The first node forms the cluster and creates the schema; the others join it.
    for (int i = 0; i < count; i++) {
      nodes.add(launch(i));
      if (i == 0) nodes.get(0).process().port("http", BOOT_SECONDS);
    }
    for (int i = 0; i < count; i++) nodes.set(i, withApi(nodes.get(i)));
    awaitMembersUp(nodes.get(0), count, BOOT_SECONDS);
  }

  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** The proxy in front of {@code node} (which must have been started proxied). */
  DelayProxy proxy(Node node) {
    return proxies.get(node.host());
  }

  /** Partitions {@code a} and {@code b}: routes, and the proxy in front of either. */
  void cut(Node a, Node b) throws IOException, InterruptedException {
    lab.cut(a.host(), b.host());
    if (proxies.containsKey(a.host())) proxies.get(a.host()).block(b.host().address());
    if (proxies.containsKey(b.host())) proxies.get(b.host()).block(a.host().address());
  }

  /** Undoes {@link #cut}. */
  void heal(Node a, Node b) throws IOException, InterruptedException {
    lab.heal(a.host(), b.host());
    if (proxies.containsKey(a.host())) proxies.get(a.host()).unblock(b.host().address());
    if (proxies.containsKey(b.host())) proxies.get(b.host()).unblock(a.host().address());
  }

  /** Starts {@code node} again (after it exited), in its namespace with its config. */
  Node restart(Node node) throws Exception {
    int i = nodes.indexOf(node);
    Node restarted = withApi(launch(i));
    nodes.set(i, restarted);
    return restarted;
  }

  private Node launch(int i) throws IOException {
    NetworkLab.Host host = hosts.get(i);
    String name = "node-" + (i + 1);
    String[] self = addresses.get(i).split(":");
    List<String> seeds = addresses.stream().map(a -> "\"" + a + "\"").toList();
    Path nodeDir = Files.createDirectories(dir.resolve(name));
    String config =
        """
        junction {
          data-dir = "%s"
          http {
            host = "%s"
            port = 0
            request-timeout = %dms
            tokens = [ { token-env = "JUNCTION_TEST_TOKEN", scopes = [read, publish, admin] } ]
          }
          journal { %s }
          cluster {
            enabled = on
            host = "%s"
            port = %s
            seed-nodes = [%s]
            stable-after = 2s
          }
        }
        # where Artery listens, when others reach this node through another address
        pekko.remote.artery.bind { hostname = "%s", port = %d }
        """
            .formatted(
                nodeDir.resolve("data"),
                host.address(),
                requestTimeout.toMillis(),
                journal,
                self[0],
                self[1],
                String.join(", ", seeds),
                host.address(),
                CLUSTER_PORT);
    ChildNode process =
        ChildNode.start(nodeDir, config, Map.of("JUNCTION_TEST_TOKEN", token), host.exec());
    Node node =
        new Node(name, host, "pekko://junction@" + addresses.get(i), nodeDir, process, null);
    started.add(node);
    return node;
  }

  private static Node withApi(Node n) throws InterruptedException {
    int port = n.process().port("http", BOOT_SECONDS);
    return new Node(
        n.name(),
        n.host(),
        n.address(),
        n.dir(),
        n.process(),
        new HttpApi(n.host().address(), port));
  }

  /** The H2 TCP server in its own namespace: reachable on the lab's network only. */
  private void startH2(NetworkLab.Host db) throws Exception {
    Path base = Files.createDirectories(dir.resolve("h2"));
    List<String> command = new ArrayList<>(db.exec());
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m",
            "-cp",
            System.getProperty("java.class.path"),
            "org.h2.tools.Server",
            "-tcp",
            "-tcpAllowOthers", // the nodes connect from their own addresses
            "-tcpPort",
            String.valueOf(H2_PORT),
            "-baseDir",
            base.toString(),
            "-ifNotExists"));
    h2 =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("h2.log").toFile())
            .start();
    await(60, () -> reachable(db.address(), H2_PORT), "the H2 server on " + db.address());
  }

  private static boolean reachable(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  HttpResponse<String> publish(Node node, String queue, String body)
      throws IOException, InterruptedException {
    return node.api()
        .post(
            "/v1/queues/" + queue + "/messages",
            token,
            "text/plain",
            body.getBytes(StandardCharsets.UTF_8));
  }

  /** The address of the node hosting {@code queue}, as {@code node} sees it. */
  String locate(Node node, String queue) throws Exception {
    return JSON.readTree(get(node, "/v1/cluster/queues/" + queue)).get("node").asText();
  }

  /** {@code address}'s status as {@code node} sees it; null when it is not a member. */
  String memberStatus(Node node, String address) {
    try {
      HttpResponse<String> r = node.api().get("/v1/cluster", token);
      if (r.statusCode() != 200) return "?";
      for (JsonNode m : JSON.readTree(r.body()).get("members"))
        if (m.get("address").asText().equals(address)) return m.get("status").asText();
      return null;
    } catch (IOException | InterruptedException e) {
      return "?";
    }
  }

  /** {@code node}'s own status as it reports it ({@code self_status}); "?" when it cannot say. */
  String selfStatus(Node node) {
    try {
      HttpResponse<String> r = node.api().get("/v1/cluster", token);
      return r.statusCode() == 200 ? JSON.readTree(r.body()).get("self_status").asText() : "?";
    } catch (IOException | InterruptedException e) {
      return "?";
    }
  }

  /** Leases and acknowledges everything in {@code queue} through {@code node}, in order. */
  List<String> consumeAll(Node node, String queue) throws Exception {
    return new QueueClient(node.api(), token).drain(queue);
  }

  /** True when {@code node} sees exactly {@code count} members, all Up and reachable. */
  boolean membersUp(Node node, int count) {
    return ClusterApi.membersUp(node.api(), token, count);
  }

  /** Polls until {@code node} sees {@code count} members Up and reachable, or fails. */
  void awaitMembersUp(Node node, int count, int seconds) throws Exception {
    try {
      await(seconds, () -> membersUp(node, count), count + " members Up as " + node.name());
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + ": " + ClusterApi.view(node.api(), token) + "\n" + logs(), e);
    }
  }

  /** A bounded poll of other processes' state (there is no event to wait on across processes). */
  void await(int seconds, BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline)
        throw new AssertionError("not within " + seconds + " s: " + what);
      pause();
    }
  }

  /** 100 ms, waiting on the journal server's process (which must not end meanwhile). */
  void pause() throws InterruptedException {
    if (h2.waitFor(100, TimeUnit.MILLISECONDS))
      throw new AssertionError("the H2 journal server exited: " + h2.exitValue());
  }

  String get(Node node, String path) throws Exception {
    return ClusterApi.get(node.api(), token, path);
  }

  String logs() {
    return ClusterApi.logs(nodes);
  }

  static String tail(Node n) {
    return ClusterApi.tail(n);
  }

  /**
   * Kills every process, keeps the output of each one started under {@code
   * target/namespaced-cluster/} (the last run's, {@code node-N-<start>.log}, for a post-mortem),
   * and removes the network and the files.
   */
  @Override
  public void close() throws Exception {
    try {
      for (Node n : nodes) n.process().close();
      Path logs = Files.createDirectories(Path.of("target", "namespaced-cluster"));
      for (int i = 0; i < started.size(); i++) {
        Node n = started.get(i);
        Files.write(logs.resolve(n.name() + "-" + i + ".log"), n.process().output());
      }
      for (DelayProxy p : proxies.values()) p.close();
      if (h2 != null) {
        h2.destroyForcibly();
        h2.waitFor(30, TimeUnit.SECONDS);
      }
    } finally {
      try {
        lab.close(); // also kills anything still running in its namespaces
      } finally {
        ClusterApi.deleteTree(dir);
      }
    }
  }
}
