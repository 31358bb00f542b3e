package io.junction.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.cluster.ClusterSetup;
import io.junction.endpoint.EndpointStatus;
import io.junction.node.Endpoints;
import io.junction.node.Guardian;
import io.junction.node.NodeSettings;
import io.junction.queue.JournalSetup;
import io.junction.tcp.TcpConnection;
import io.junction.tcp.TcpServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/** A whole node started in this JVM from a config snippet, for tests over real sockets. */
public final class TestNode implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(20);
  // The endpoint kinds that listen; /v1/ready waits for these to be bound.
  private static final java.util.Set<String> LISTENER_KINDS = java.util.Set.of("tcp-server", "udp");
  private final ActorSystem<Guardian.Command> system;
  private final ActorTestKit kit;
  private final Guardian.Refs refs;

  private final java.nio.file.Path dataDir;

  private TestNode(
      Config config, java.nio.file.Path dataDir, java.util.Optional<java.nio.file.Path> file) {
    this.dataDir = dataDir;
    NodeSettings settings = NodeSettings.fromConfig(config);
    JournalSetup.createSchema(config);
    system = ActorSystem.create(Guardian.create(settings, file), "junction", config);
    kit = ActorTestKit.create(system);
    TestProbe<Guardian.Refs> probe = kit.createTestProbe();
    system.tell(new Guardian.GetRefs(probe.ref()));
    refs = probe.receiveMessage(TIMEOUT);
    try {
      awaitReady();
    } catch (RuntimeException | Error e) {
      system.terminate(); // the caller gets no node to close
      throw e;
    }
  }

  /**
   * Returns once the node is ready as {@code /v1/ready} means it, less the cluster part (a cluster
   * test starts members one by one, and the first is not Up before the others join): every listener
   * bound and every configured destination registered where the HTTP publisher sees it. Actors
   * start concurrently, so without this a test's first frame or publish could race the registration
   * of the destination it is meant for.
   */
  private void awaitReady() {
    await(
        () -> {
          List<String> waiting =
              statuses().stream()
                  .filter(s -> LISTENER_KINDS.contains(s.kind()) && !s.state().equals("bound"))
                  .map(s -> s.name() + " (" + s.state() + ")")
                  .toList();
          if (!waiting.isEmpty()) throw new AssertionError("listeners not bound yet: " + waiting);
          return true;
        });
    TestProbe<java.util.Optional<ActorRef<io.junction.http.HttpServer.Command>>> server =
        kit.createTestProbe();
    system.tell(new Guardian.GetHttpServer(server.ref()));
    // Without the HTTP API there is no publisher; endpoints route with the router's snapshot too,
    // pushed to every subscriber at once, so the publisher's view stands for theirs.
    server
        .receiveMessage(TIMEOUT)
        .ifPresent(
            http ->
                await(
                    () -> {
                      TestProbe<List<String>> missing = kit.createTestProbe();
                      http.tell(new io.junction.http.HttpServer.GetMissing(missing.ref()));
                      List<String> m = missing.receiveMessage(TIMEOUT);
                      if (!m.isEmpty()) throw new AssertionError("destinations not up yet: " + m);
                      return true;
                    }));
  }

  /**
   * Starts a node from {@code hocon} (over reference.conf). Use port 0 for listeners; the HTTP API
   * listens on an ephemeral port unless the snippet says otherwise.
   */
  public static TestNode start(String hocon) {
    return start(ConfigFactory.parseString(hocon));
  }

  /**
   * Starts a node from a config file, as {@code junction run --config file} does, so that its
   * routes can be reloaded from that file. The file must set {@code junction.http.port = 0} and a
   * {@code junction.data-dir} of the test's own (the journal's path is resolved from it when the
   * file is loaded); that directory is left to the test to remove.
   */
  public static TestNode startFromFile(java.nio.file.Path file) {
    Config config = io.junction.cli.ConfigLoader.load(file);
    if (config.getString("junction.data-dir").equals("data"))
      throw new IllegalArgumentException(file + " must set junction.data-dir to a test directory");
    return new TestNode(
        ClusterSetup.configure(JournalSetup.configure(config)), null, java.util.Optional.of(file));
  }

  /** The HTTP API's bound port, waiting until it is bound. */
  public int httpPort() {
    TestProbe<java.util.Optional<ActorRef<io.junction.http.HttpServer.Command>>> server =
        kit.createTestProbe();
    system.tell(new Guardian.GetHttpServer(server.ref()));
    ActorRef<io.junction.http.HttpServer.Command> ref =
        server.receiveMessage(TIMEOUT).orElseThrow(() -> new AssertionError("HTTP is disabled"));
    TestProbe<java.net.InetSocketAddress> address = kit.createTestProbe();
    ref.tell(new io.junction.http.HttpServer.GetAddress(address.ref()));
    return address.receiveMessage(TIMEOUT).getPort();
  }

  /** The STOMP listener's bound port, waiting until it is bound. */
  public int stompPort() {
    TestProbe<java.util.Optional<ActorRef<io.junction.stomp.StompServer.Command>>> server =
        kit.createTestProbe();
    system.tell(new Guardian.GetStompServer(server.ref()));
    ActorRef<io.junction.stomp.StompServer.Command> ref =
        server.receiveMessage(TIMEOUT).orElseThrow(() -> new AssertionError("STOMP is disabled"));
    TestProbe<java.net.InetSocketAddress> address = kit.createTestProbe();
    ref.tell(new io.junction.stomp.StompServer.GetAddress(address.ref()));
    return address.receiveMessage(TIMEOUT).getPort();
  }

  /** Starts a node from an already parsed (unresolved) config, over a temp data dir. */
  public static TestNode start(Config unresolved) {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("junction-node");
      ConfigFactory.invalidateCaches();
      Config config =
          unresolved
              .withFallback(ConfigFactory.parseString("junction.http.port = 0"))
              .withFallback(
                  ConfigFactory.parseMap(java.util.Map.of("junction.data-dir", dir.toString())));
      return new TestNode(
          ClusterSetup.configure(JournalSetup.configure(ConfigFactory.load(config))),
          dir,
          java.util.Optional.empty());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public ActorTestKit kit() {
    return kit;
  }

  public ActorSystem<Guardian.Command> system() {
    return system;
  }

  public List<EndpointStatus> statuses() {
    TestProbe<List<EndpointStatus>> probe = kit.createTestProbe();
    refs.endpoints().tell(new Endpoints.GetStatuses(probe.ref()));
    return probe.receiveMessage(TIMEOUT);
  }

  public EndpointStatus status(String endpoint) {
    return statuses().stream()
        .filter(s -> s.name().equals(endpoint))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no endpoint " + endpoint));
  }

  /** The bound port of a listening endpoint, waiting until it is bound. */
  public int port(String endpoint) {
    TestProbe<Object> probe = kit.createTestProbe();
    return probe.awaitAssert(
        TIMEOUT,
        () -> {
          EndpointStatus s = status(endpoint);
          if (!s.state().equals("bound")) throw new AssertionError(endpoint + " is " + s.state());
          return Integer.parseInt(s.address().substring(s.address().lastIndexOf(':') + 1));
        });
  }

  public Map<String, ActorRef<TcpConnection.Command>> connections(String endpoint) {
    TestProbe<java.util.Optional<ActorRef<TcpServer.Command>>> server = kit.createTestProbe();
    refs.endpoints().tell(new Endpoints.GetTcpServer(endpoint, server.ref()));
    ActorRef<TcpServer.Command> ref = server.receiveMessage(TIMEOUT).orElseThrow();
    TestProbe<Map<String, ActorRef<TcpConnection.Command>>> probe = kit.createTestProbe();
    ref.tell(new TcpServer.GetConnections(probe.ref()));
    return probe.receiveMessage(TIMEOUT);
  }

  /** Retries {@code check} until it passes or {@link #TIMEOUT} runs out. */
  public <T> T await(java.util.function.Supplier<T> check) {
    return kit.<Object>createTestProbe().awaitAssert(TIMEOUT, check::get);
  }

  /**
   * A check that may throw a checked exception (an HTTP call, a socket read); see {@link #until}.
   */
  public interface Check {
    void run() throws Exception;
  }

  /** Retries {@code check} until it passes or {@link #TIMEOUT} runs out. */
  public void until(Check check) {
    await(
        () -> {
          try {
            check.run();
            return true;
          } catch (RuntimeException | Error e) {
            throw e;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
  }

  public Guardian.Refs refs() {
    return refs;
  }

  /**
   * Stops the node the way SIGTERM does (every CoordinatedShutdown phase, JVM exit reason) and
   * waits until it terminated; {@link #close()} afterwards only cleans up.
   */
  public void shutdownGracefully() throws Exception {
    org.apache.pekko.actor.CoordinatedShutdown.get(system)
        .runAll(org.apache.pekko.actor.CoordinatedShutdown.jvmExitReason())
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (dataDir == null) return;
    try (var files = java.nio.file.Files.walk(dataDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
