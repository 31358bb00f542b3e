package io.junction.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import io.junction.cluster.ClusterSettings;
import io.junction.codec.Codecs;
import io.junction.codec.PayloadCodec;
import io.junction.codec.StructLayout;
import io.junction.codec.StructRegistry;
import io.junction.config.ConfigProblems;
import io.junction.ftp.DemoFtpServer;
import io.junction.ftp.FtpEndpointSettings;
import io.junction.http.HttpDestinationSettings;
import io.junction.http.HttpPollSettings;
import io.junction.http.HttpSettings;
import io.junction.queue.JournalSetup;
import io.junction.queue.Queues;
import io.junction.routing.Route;
import io.junction.routing.RouteSettings;
import io.junction.tcp.TcpSettings;
import io.junction.topic.TopicSettings;
import io.junction.udp.UdpSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Everything the node runs, parsed and validated once from {@code junction { }}. Construction
 * either succeeds with a consistent node or throws {@link ConfigProblems.InvalidConfigException}
 * listing every problem by config path.
 */
public record NodeSettings(
    String nodeName,
    Path dataDir,
    Duration drainTimeout,
    Codecs codecs,
    List<TcpSettings.Server> tcpServers,
    List<TcpSettings.Client> tcpClients,
    List<UdpSettings> udp,
    HttpSettings http,
    io.junction.stomp.StompSettings stomp,
    List<FtpEndpointSettings> ftpEndpoints,
    List<HttpPollSettings> httpPolls,
    List<Route> routes,
    Queues.Settings queues,
    List<TopicSettings> topics,
    ClusterSettings cluster,
    Config config) {

  /**
   * This node as one writer among several sharing a remote directory (the FTP destination's
   * temporary file name): the node name plus, in a cluster, this member's host and port, else the
   * machine's host name, so two nodes left at the default {@code node-name} do not share it, while
   * a restart of the same node finds the same name again.
   */
  public String instanceName() {
    if (cluster.enabled()) return nodeName + "-" + cluster.host() + "-" + cluster.port();
    return nodeName + "-" + HostName.local();
  }

  /** Top-level keys of {@code junction}; anything else is a typo. */
  static final Set<String> KEYS =
      Set.of(
          "node-name",
          "data-dir",
          "shutdown-drain-timeout",
          "endpoints",
          "structs",
          "queues",
          "queue-defaults",
          "queue-policies",
          "topics",
          "routes",
          "routes-watch",
          "routes-watch-interval",
          "journal",
          "http",
          "stomp",
          "demo-ftp",
          "cluster",
          "faults",
          "logging",
          "blocking-io-dispatcher");

  static final Set<String> ENDPOINT_KINDS =
      Set.of("tcp-server", "tcp-client", "udp", "ftp", "http-poll");

  public NodeSettings {
    tcpServers = List.copyOf(tcpServers);
    tcpClients = List.copyOf(tcpClients);
    udp = List.copyOf(udp);
    ftpEndpoints = List.copyOf(ftpEndpoints);
    httpPolls = List.copyOf(httpPolls);
    routes = List.copyOf(routes);
  }

  /** Parses and validates; throws listing every problem. */
  public static NodeSettings fromConfig(Config config) {
    ConfigProblems problems = new ConfigProblems();
    try {
      config.checkValid(ConfigFactory.defaultReference(), "junction");
    } catch (ConfigException.ValidationFailed e) {
      // A list the environment can give as one comma-separated string is checked by its owner.
      for (ConfigException.ValidationProblem p : e.problems())
        if (!ClusterSettings.LIST_OR_STRING_KEYS.contains(p.path()))
          problems.add(p.path(), p.problem());
    }
    Config j = config.getConfig("junction");
    problems.rejectUnknownKeys("junction", j, KEYS);
    problems.read("junction.logging.format", () -> logFormat(config), null);
    Config structs =
        problems.read("junction.structs", () -> j.getConfig("structs"), ConfigFactory.empty());
    Codecs codecs = new Codecs(StructRegistry.fromConfig(structs, "junction.structs", problems));
    List<TcpSettings.Server> servers = new ArrayList<>();
    List<TcpSettings.Client> clients = new ArrayList<>();
    List<UdpSettings> udp = new ArrayList<>();
    List<FtpEndpointSettings> ftp = new ArrayList<>();
    List<HttpPollSettings> polls = new ArrayList<>();
    Map<String, Set<String>> targets = new HashMap<>();
    Config endpoints =
        problems.read("junction.endpoints", () -> j.getConfig("endpoints"), ConfigFactory.empty());
    for (String name : endpoints.root().keySet()) {
      String path = ConfigProblems.join("junction.endpoints", name);
      if (endpoints.root().get(name).valueType() != ConfigValueType.OBJECT) {
        problems.add(path, "must be an object with a kind");
        continue;
      }
      Config e = endpoints.getConfig(com.typesafe.config.ConfigUtil.quoteString(name));
      String kind = problems.read(path + ".kind", () -> e.getString("kind"), "");
      switch (kind) {
        case "tcp-server" -> servers.add(TcpSettings.server(name, e, path, codecs, problems));
        case "tcp-client" -> clients.add(TcpSettings.client(name, e, path, codecs, problems));
        case "udp" -> udp.add(UdpSettings.fromConfig(name, e, path, codecs, problems));
        case "ftp" -> {
          FtpEndpointSettings.fromConfig(name, config, path, codecs, problems).ifPresent(ftp::add);
          targets.computeIfAbsent("ftp", k -> new HashSet<>()).add(name);
        }
        case "http-poll" -> polls.add(HttpPollSettings.fromConfig(name, e, path, codecs, problems));
        case "" -> {}
        default ->
            problems.add(
                path + ".kind",
                "unknown endpoint kind '"
                    + kind
                    + "' (expected one of "
                    + ENDPOINT_KINDS.stream().sorted().toList()
                    + ")");
      }
      if (kind.startsWith("tcp-")) targets.computeIfAbsent("tcp", k -> new HashSet<>()).add(name);
      if (kind.equals("udp")) targets.computeIfAbsent("udp", k -> new HashSet<>()).add(name);
    }
    HttpSettings http =
        j.hasPath("http")
            ? HttpSettings.fromConfig(
                problems.read("junction.http", () -> j.getConfig("http"), ConfigFactory.empty()),
                "junction.http",
                problems)
            : HttpSettings.disabled();
    io.junction.stomp.StompSettings stomp =
        io.junction.stomp.StompSettings.fromConfig(
            problems.read("junction.stomp", () -> j.getConfig("stomp"), ConfigFactory.empty()),
            "junction.stomp",
            http,
            problems);
    for (HttpDestinationSettings d : http.destinations())
      targets.computeIfAbsent("http", k -> new HashSet<>()).add(d.name());
    checkDistinctPorts(
        servers.stream().map(x -> new Listener(x.name(), x.host(), x.port())).toList(), problems);
    checkDistinctPorts(
        udp.stream().map(x -> new Listener(x.name(), x.host(), x.port())).toList(), problems);
    Queues.Settings queues = Queues.Settings.fromConfig(config, problems);
    JournalSetup.configure(config, problems); // validates junction.journal
    ClusterSettings cluster = ClusterSettings.fromConfig(config, problems);
    problems.read("junction.demo-ftp", () -> DemoFtpServer.Settings.fromConfig(config), null);
    io.junction.faults.FaultSettings.fromConfig(config, problems); // validated here, used by Faults
    targets.put("queue", queues.declared().keySet());
    List<TopicSettings> topics = TopicSettings.fromConfig(j, problems);
    Set<String> topicNames = new HashSet<>();
    topics.forEach(t -> topicNames.add(t.name()));
    targets.put("topic", topicNames);
    Config routes =
        problems.read("junction.routes", () -> j.getConfig("routes"), ConfigFactory.empty());
    List<Route> routeList =
        RouteSettings.fromConfig(
            routes,
            "junction.routes",
            new RouteSettings.Context(
                sources(endpoints.root().keySet(), queues.declared().keySet(), topicNames),
                structLayouts(codecs, servers, clients, udp),
                codecs.structs(),
                targets),
            problems);
    String nodeName =
        problems.read("junction.node-name", () -> j.getString("node-name"), "junction");
    Path dataDir =
        Path.of(problems.read("junction.data-dir", () -> j.getString("data-dir"), "data"));
    Duration drain =
        problems.read(
            "junction.shutdown-drain-timeout",
            () -> j.getDuration("shutdown-drain-timeout"),
            Duration.ofSeconds(5));
    problems.throwIfAny();
    return new NodeSettings(
        nodeName, dataDir, drain, codecs, servers, clients, udp, http, stomp, ftp, polls, routeList,
        queues, topics, cluster, config);
  }

  /** The struct each endpoint with a plain struct codec decodes to: routes are typed by it. */
  private static Map<String, StructLayout> structLayouts(
      Codecs codecs,
      List<TcpSettings.Server> servers,
      List<TcpSettings.Client> clients,
      List<UdpSettings> udp) {
    Map<String, StructLayout> out = new HashMap<>();
    BiConsumer<String, PayloadCodec> add =
        (name, codec) -> {
          if (codecs.layoutOf(codec).orElse(null) instanceof StructLayout l) out.put(name, l);
        };
    servers.forEach(s -> add.accept(s.name(), s.codec()));
    clients.forEach(c -> add.accept(c.name(), c.codec()));
    udp.forEach(u -> add.accept(u.name(), u.codec()));
    return out;
  }

  private record Listener(String name, String host, int port) {}

  /** Two listeners of one protocol cannot share host:port (TCP and UDP may). */
  /** What routes may take messages from: every endpoint, declared queue and declared topic. */
  private static Set<String> sources(
      Set<String> endpoints, Set<String> queues, Set<String> topics) {
    Set<String> all = new HashSet<>(endpoints);
    queues.forEach(q -> all.add("queue:" + q));
    topics.forEach(t -> all.add("topic:" + t));
    return Set.copyOf(all);
  }

  private static void checkDistinctPorts(List<Listener> listeners, ConfigProblems problems) {
    Map<String, String> seen = new HashMap<>();
    for (Listener s : listeners) {
      if (s.port() == 0) continue;
      String key = s.host() + ":" + s.port();
      String other = seen.putIfAbsent(key, s.name());
      if (other != null)
        problems.add(
            "junction.endpoints." + s.name() + ".port",
            key + " is already used by endpoint '" + other + "'");
    }
  }

  /** {@code junction.logging.format}: how the console logs (logback.xml's ConsoleEncoder). */
  public static io.junction.logging.LogFormat logFormat(Config config) {
    return io.junction.logging.LogFormat.parse(config.getString("junction.logging.format"));
  }
}
