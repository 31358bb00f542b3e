package io.junction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import io.junction.cluster.ClusterSetup;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

/**
 * The files under deploy/ (Dockerfile, docker-compose.yml, Kubernetes manifests, systemd unit)
 * against the code, since none of them can run on this machine: every YAML parses, every variable
 * they set is one the node reads, each node's environment passes {@code junction check} on the
 * config the image runs, and probes and health checks hit paths and ports the node serves.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DeployManifestsTest {
  private static final Path DEPLOY = Path.of("deploy");
  private static final Path CONTAINER_CONF = DEPLOY.resolve("container.conf");
  private static final Pattern ENV_READ = Pattern.compile("\\$\\{\\?(JUNCTION_[A-Z0-9_]+)}");
  private static final Pattern ENV_NAMED = Pattern.compile("-env\\s*=\\s*\"?(JUNCTION_[A-Z0-9_]+)");
  private static final Pattern COMPOSE_VAR = Pattern.compile("\\$\\{(\\w+)(?::([?-])([^}]*))?}");

  /** What a user exports before {@code docker compose up} (the file requires these). */
  private static final Map<String, String> SHELL =
      Map.of("JUNCTION_API_TOKEN", "test-token", "JUNCTION_PG_PASSWORD", "test-password");

  @Test
  void everyYamlFileUnderDeployParses() throws IOException {
    List<Path> files = yamlFiles();
    assertTrue(files.size() >= 5, files.toString());
    for (Path f : files) {
      List<Map<String, Object>> docs = load(f);
      assertFalse(docs.isEmpty(), f + " is empty");
      if (f.startsWith(DEPLOY.resolve("kubernetes")))
        for (Map<String, Object> d : docs) {
          assertNotNull(d.get("apiVersion"), f + ": apiVersion");
          assertNotNull(d.get("kind"), f + ": kind");
          assertNotNull(map(d, "metadata").get("name"), f + ": metadata.name");
        }
    }
  }

  @Test
  void everyVariableTheManifestsSetIsOneTheNodeReads() throws IOException {
    Set<String> read = variablesTheNodeReads();
    Map<String, Set<String>> set = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Object>> s : composeNodes().entrySet())
      set.put("compose " + s.getKey(), composeEnv(s.getValue()).keySet());
    set.put("kubernetes deployment", kubernetesEnv().keySet());
    set.put("Dockerfile ENV", dockerfileEnv().keySet());
    set.put("systemd unit", Set.of(systemd().get("Environment").split("=")[0]));
    for (Map.Entry<String, Set<String>> e : set.entrySet()) {
      Set<String> unknown = new TreeSet<>(e.getValue());
      unknown.removeAll(read);
      assertEquals(Set.of(), unknown, e.getKey() + " sets variables the node does not read");
    }
  }

  @Test
  void eachComposeAndKubernetesNodePassesTheNodesOwnCheck() throws Exception {
    Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Object>> s : composeNodes().entrySet())
      nodes.put("compose " + s.getKey(), withImageEnv(composeEnv(s.getValue())));
    nodes.put("kubernetes", withImageEnv(kubernetesEnv()));
    assertEquals(4, nodes.size(), nodes.keySet().toString());
    for (Map.Entry<String, Map<String, String>> n : nodes.entrySet()) {
      Check check = check(n.getValue());
      assertEquals(0, check.exit(), n.getKey() + ": junction check\n" + check.output());
      assertTrue(check.output().contains(CONTAINER_CONF + ": OK"), check.output());
      Config c = resolve(n.getValue());
      assertTrue(c.getBoolean("junction.cluster.bootstrap.enabled"), n.getKey());
      assertEquals(List.of(), c.getStringList("pekko.cluster.seed-nodes"), n.getKey());
    }
  }

  @Test
  void composePortsAndContactPointsAreTheOnesTheNodesListenOn() throws IOException {
    Map<String, Map<String, Object>> nodes = composeNodes();
    assertEquals(Set.of("node1", "node2", "node3"), nodes.keySet());
    for (Map.Entry<String, Map<String, Object>> s : nodes.entrySet()) {
      Map<String, String> env = withImageEnv(composeEnv(s.getValue()));
      Config c = resolve(env);
      Set<Integer> published = new TreeSet<>();
      for (Object p : list(s.getValue(), "ports")) {
        String[] parts = p.toString().split(":");
        published.add(Integer.parseInt(parts[parts.length - 1]));
      }
      assertEquals(
          new TreeSet<>(
              Set.of(
                  c.getInt("junction.http.port"),
                  c.getInt("junction.endpoints.lines.port"),
                  c.getInt("pekko.management.http.port"))),
          published,
          s.getKey() + ": published container ports");
      assertEquals(s.getKey(), c.getString("pekko.management.http.hostname"));
      assertEquals(s.getKey(), c.getString("pekko.remote.artery.canonical.hostname"));
      // every node's management endpoint is a contact point, at the port it listens on
      String points = env.get("JUNCTION_BOOTSTRAP_CONTACT_POINTS");
      assertTrue(
          List.of(points.split(","))
              .contains(s.getKey() + ":" + c.getInt("pekko.management.http.port")),
          points);
    }
  }

  @Test
  void kubernetesProbesRbacAndServicesMatchTheNode() throws IOException {
    Map<String, Object> deployment = kubernetes("Deployment");
    Map<String, Object> pod = map(map(deployment, "spec"), "template");
    Map<String, Object> container = container();
    Config c = resolve(withImageEnv(kubernetesEnv()));
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (Object p : list(container, "ports")) {
      Map<?, ?> m = (Map<?, ?>) p;
      ports.put((String) m.get("name"), (Integer) m.get("containerPort"));
    }
    assertEquals(c.getInt("junction.http.port"), ports.get("http"));
    assertEquals(c.getInt("junction.endpoints.lines.port"), ports.get("lines"));
    assertEquals(c.getInt("pekko.management.http.port"), ports.get("management"));
    assertEquals(c.getInt("pekko.remote.artery.canonical.port"), ports.get("remoting"));
    // probes: Pekko Management's health check paths, on the management port
    Map<String, Object> ready = map(map(container, "readinessProbe"), "httpGet");
    Map<String, Object> alive = map(map(container, "livenessProbe"), "httpGet");
    assertEquals(
        "/" + c.getString("pekko.management.health-checks.readiness-path"), ready.get("path"));
    assertEquals(
        "/" + c.getString("pekko.management.health-checks.liveness-path"), alive.get("path"));
    assertEquals("management", ready.get("port"));
    assertEquals("management", alive.get("port"));
    assertEquals("0.0.0.0", c.getString("pekko.management.http.bind-hostname"));
    // bootstrap finds these pods: the label selector Pekko builds from the service name
    String selector =
        c.getString("pekko.discovery.kubernetes-api.pod-label-selector")
            .formatted(c.getString("junction.cluster.bootstrap.service-name"));
    String[] label = selector.split("=");
    assertEquals(label[1], map(map(pod, "metadata"), "labels").get(label[0]), selector);
    assertEquals(
        "management",
        c.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name"));
    // ... with the right to list them, granted to the pods' service account
    Map<String, Object> role = kubernetes("Role");
    Map<?, ?> rule = (Map<?, ?>) list(role, "rules").get(0);
    assertEquals(List.of("pods"), rule.get("resources"));
    assertTrue(((List<?>) rule.get("verbs")).containsAll(List.of("get", "watch", "list")));
    Map<String, Object> binding = kubernetes("RoleBinding");
    assertEquals(map(role, "metadata").get("name"), map(binding, "roleRef").get("name"));
    Map<?, ?> subject = (Map<?, ?>) list(binding, "subjects").get(0);
    assertEquals(map(pod, "spec").get("serviceAccountName"), subject.get("name"));
    // the headless service publishes pods before they are ready (they join before ready)
    Map<String, Object> headless = map(kubernetes("Service"), "spec");
    assertEquals("None", headless.get("clusterIP"));
    assertEquals(true, headless.get("publishNotReadyAddresses"));
    // longer than the node's own bound on its graceful stop (RunCommand waits 60 s)
    assertTrue((Integer) map(pod, "spec").get("terminationGracePeriodSeconds") >= 60);
  }

  @Test
  void dockerImageRunsTheCheckedConfigAsANonRootUserWithAHealthCheckTheNodeServes()
      throws Exception {
    List<String> lines = dockerfile();
    String user = instruction(lines, "USER").get(0);
    assertFalse(user.equals("root") || user.equals("0") || user.startsWith("0:"), user);
    assertTrue(
        instruction(lines, "COPY")
            .contains(CONTAINER_CONF + " /opt/junction/conf/application.conf"));
    List<String> command = new ArrayList<>();
    command.addAll(json(instruction(lines, "ENTRYPOINT").get(0)));
    command.addAll(json(instruction(lines, "CMD").get(0)));
    assertEquals(
        List.of("run", "--config", "/opt/junction/conf/application.conf"),
        command.subList(command.indexOf("-jar") + 2, command.size()));
    parsesAsACommand(command.subList(command.indexOf("-jar") + 2, command.size()));
    String healthcheck = instruction(lines, "HEALTHCHECK").get(0);
    Matcher url =
        Pattern.compile("http://127\\.0\\.0\\.1:\\$\\{JUNCTION_HTTP_PORT}(/\\S+?)\"")
            .matcher(healthcheck);
    assertTrue(url.find(), healthcheck);
    Config c = resolve(withImageEnv(Map.of()));
    assertEquals(
        Integer.parseInt(dockerfileEnv().get("JUNCTION_HTTP_PORT")),
        c.getInt("junction.http.port"));
    assertTrue(
        instruction(lines, "EXPOSE").get(0).contains(dockerfileEnv().get("JUNCTION_HTTP_PORT")));
    // the path answers 200 on a running node
    try (TestNode node = TestNode.start("")) {
      assertEquals(200, new HttpApi(node.httpPort()).get(url.group(1), null).statusCode());
    }
  }

  /**
   * {@code ./junction} holds the node's JVM flags beyond memory ({@code JUNCTION_GC_OPTS}'s
   * default, the G1 pause goal); the image, the systemd unit and the local cluster start the same
   * JVM, so each carries them too.
   */
  @Test
  void everyWayOfStartingTheNodeGivesTheLaunchersGcFlags() throws IOException {
    Matcher launcher =
        Pattern.compile("\\$\\{JUNCTION_GC_OPTS-([^}]+)}")
            .matcher(Files.readString(Path.of("junction")));
    assertTrue(launcher.find(), "./junction sets a default for JUNCTION_GC_OPTS");
    List<String> flags = List.of(launcher.group(1).trim().split("\\s+"));
    assertTrue(flags.contains("-XX:MaxGCPauseMillis=10"), flags.toString());
    List<String> image = new ArrayList<>(json(instruction(dockerfile(), "ENTRYPOINT").get(0)));
    assertTrue(image.subList(0, image.indexOf("-jar")).containsAll(flags), image.toString());
    List<String> unit = List.of(systemd().get("ExecStart").split("\\s+"));
    assertTrue(unit.subList(0, unit.indexOf("-jar")).containsAll(flags), unit.toString());
    assertTrue(
        Files.readString(DEPLOY.resolve("local-cluster.sh")).contains(launcher.group()),
        "local-cluster.sh starts its nodes with " + launcher.group());
  }

  @Test
  void systemdUnitRunsTheNodeHardenedAndStopsItGracefully() throws IOException {
    Map<String, String> unit = systemd();
    List<String> exec = List.of(unit.get("ExecStart").split("\\s+"));
    assertTrue(exec.get(0).startsWith("/"), "ExecStart needs an absolute path: " + exec);
    assertTrue(exec.get(0).endsWith("/java"), exec.toString());
    int jar = exec.indexOf("-jar");
    assertTrue(exec.get(jar + 1).endsWith(".jar"), exec.toString());
    parsesAsACommand(exec.subList(jar + 2, exec.size()));
    assertEquals("run", exec.get(jar + 2));
    assertTrue(
        "yes".equals(unit.get("DynamicUser"))
            || (unit.containsKey("User") && !"root".equals(unit.get("User"))),
        "a dedicated or dynamic user");
    assertTrue(Set.of("strict", "full").contains(unit.get("ProtectSystem")));
    assertEquals("yes", unit.get("NoNewPrivileges"));
    assertEquals("on-failure", unit.get("Restart"));
    assertEquals("SIGTERM", unit.get("KillSignal"));
    // RunCommand waits up to 60 s for the graceful stop; systemd must not SIGKILL before that
    assertTrue(Integer.parseInt(unit.get("TimeoutStopSec")) > 60, unit.get("TimeoutStopSec"));
    assertEquals("2", unit.get("RestartPreventExitStatus"), "exit 2: invalid configuration");
  }

  // --- the node's side ---

  /** Every JUNCTION_* variable the reference files and the image's config read. */
  private static Set<String> variablesTheNodeReads() throws IOException {
    Set<String> out = new TreeSet<>();
    List<Path> confs = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("src/main/resources"))) {
      s.filter(p -> p.toString().endsWith(".conf")).forEach(confs::add);
    }
    confs.add(CONTAINER_CONF);
    for (Path p : confs) {
      String text = Files.readString(p, StandardCharsets.UTF_8);
      for (Pattern pattern : List.of(ENV_READ, ENV_NAMED)) {
        Matcher m = pattern.matcher(text);
        while (m.find()) out.add(m.group(1));
      }
    }
    assertTrue(
        out.contains("JUNCTION_PG_PASSWORD") && out.contains("JUNCTION_HTTP_PORT"), out.toString());
    return out;
  }

  /** The image's config resolved with {@code env} as the only environment, cluster keys applied. */
  private static Config resolve(Map<String, String> env) {
    Config file =
        ConfigFactory.parseFile(
            CONTAINER_CONF.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    Config resolved =
        ConfigFactory.parseMap(env)
            .withFallback(file)
            .withFallback(ConfigFactory.defaultReferenceUnresolved())
            .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
    return ClusterSetup.configure(resolved);
  }

  private record Check(int exit, String output) {}

  /**
   * {@code junction check} on the image's config in a child JVM whose environment is {@code env}.
   */
  private static Check check(Map<String, String> env) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "io.junction.Main",
                "check",
                "--config",
                CONTAINER_CONF.toString())
            .redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("JUNCTION_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("junction check did not finish in 60 s");
    }
    return new Check(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  private static void parsesAsACommand(List<String> args) {
    CommandLine.ParseResult r = Main.commandLine().parseArgs(args.toArray(String[]::new));
    assertTrue(r.hasSubcommand(), args.toString());
  }

  // --- the manifests' side ---

  private static List<Path> yamlFiles() throws IOException {
    try (Stream<Path> s = Files.walk(DEPLOY)) {
      return s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
          .sorted()
          .toList();
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> load(Path f) throws IOException {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object d : yaml.loadAll(Files.readString(f, StandardCharsets.UTF_8)))
      if (d != null) docs.add((Map<String, Object>) d);
    return docs;
  }

  /** The compose services that run the Junction image, by name. */
  private static Map<String, Map<String, Object>> composeNodes() throws IOException {
    Map<String, Object> services =
        map(load(DEPLOY.resolve("docker-compose.yml")).get(0), "services");
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : services.entrySet()) {
      Map<String, Object> s = asMap(e.getValue());
      if (String.valueOf(s.get("image")).startsWith("junction:")) out.put(e.getKey(), s);
    }
    return out;
  }

  /** A compose service's environment, with ${VAR}, ${VAR:-default}, ${VAR:?error} interpolated. */
  private static Map<String, String> composeEnv(Map<String, Object> service) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : map(service, "environment").entrySet()) {
      Matcher m = COMPOSE_VAR.matcher(String.valueOf(e.getValue()));
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String v = SHELL.get(m.group(1));
        if (v == null && "-".equals(m.group(2))) v = m.group(3);
        assertNotNull(v, "compose needs " + m.group(1) + " exported");
        m.appendReplacement(sb, Matcher.quoteReplacement(v));
      }
      m.appendTail(sb);
      out.put(e.getKey(), sb.toString());
    }
    return out;
  }

  private static Map<String, Object> kubernetes(String kind) throws IOException {
    for (Path f : yamlFiles())
      if (f.startsWith(DEPLOY.resolve("kubernetes")))
        for (Map<String, Object> d : load(f)) if (kind.equals(d.get("kind"))) return d;
    throw new AssertionError("no " + kind + " under deploy/kubernetes");
  }

  private static Map<String, Object> container() throws IOException {
    Map<String, Object> pod = map(map(map(kubernetes("Deployment"), "spec"), "template"), "spec");
    return asMap(list(pod, "containers").get(0));
  }

  /**
   * The container's environment: its ConfigMap, then its own env with stand-ins for what the
   * cluster fills in (pod IP and name, secrets).
   */
  private static Map<String, String> kubernetesEnv() throws IOException {
    Map<String, Object> c = container();
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, Object> configMap = kubernetes("ConfigMap");
    for (Object from : list(c, "envFrom")) {
      assertEquals(
          map(configMap, "metadata").get("name"), map(asMap(from), "configMapRef").get("name"));
      map(configMap, "data").forEach((k, v) -> out.put(k, String.valueOf(v)));
    }
    for (Object o : list(c, "env")) {
      Map<String, Object> e = asMap(o);
      String name = (String) e.get("name");
      if (e.containsKey("value")) out.put(name, String.valueOf(e.get("value")));
      else {
        Map<String, Object> from = map(e, "valueFrom");
        if (from.containsKey("fieldRef"))
          out.put(
              name,
              switch ((String) map(from, "fieldRef").get("fieldPath")) {
                case "status.podIP" -> "10.1.2.3";
                case "metadata.name" -> "junction-7d9f-abcde";
                default -> throw new AssertionError("unexpected fieldRef " + from);
              });
        else {
          Map<String, Object> secret = map(from, "secretKeyRef");
          assertTrue(secretKeys().contains(secret.get("key")), "Secret lacks " + secret);
          out.put(name, "secret-" + secret.get("key"));
        }
      }
    }
    return out;
  }

  private static Set<String> secretKeys() throws IOException {
    return map(kubernetes("Secret"), "stringData").keySet();
  }

  /** {@code env} over the image's ENV defaults, as the container sees it. */
  private static Map<String, String> withImageEnv(Map<String, String> env) throws IOException {
    Map<String, String> out = new LinkedHashMap<>(dockerfileEnv());
    out.putAll(env);
    return out;
  }

  private static List<String> dockerfile() throws IOException {
    String text = Files.readString(DEPLOY.resolve("Dockerfile"), StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.strip().startsWith("#") || line.isBlank()) continue;
      String l = line.stripTrailing();
      if (l.endsWith("\\")) current.append(l, 0, l.length() - 1).append(' ');
      else {
        out.add(current.append(l).toString().strip());
        current.setLength(0);
      }
    }
    return out;
  }

  /** Arguments of every instruction {@code name}, in the runtime (last) stage. */
  private static List<String> instruction(List<String> lines, String name) {
    int stage = 0;
    for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("FROM ")) stage = i;
    return lines.subList(stage, lines.size()).stream()
        .filter(l -> l.startsWith(name + " "))
        .map(l -> l.substring(name.length() + 1).strip().replaceAll("\\s+", " "))
        .toList();
  }

  private static Map<String, String> dockerfileEnv() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String env : instruction(dockerfile(), "ENV")) {
      Matcher m = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)").matcher(env);
      while (m.find()) out.put(m.group(1), m.group(2).replace("\"", ""));
    }
    return out;
  }

  private static List<String> json(String array) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(array);
    while (m.find()) out.add(m.group(1));
    return out;
  }

  /** The [Service] and [Unit] keys of the unit file (last value wins, as systemd reads it). */
  private static Map<String, String> systemd() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line :
        Files.readAllLines(DEPLOY.resolve("systemd/junction.service"), StandardCharsets.UTF_8)) {
      if (line.isBlank() || line.startsWith("#") || line.startsWith("[")) continue;
      int eq = line.indexOf('=');
      out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
    }
    return out;
  }

  private static Map<String, Object> map(Map<String, Object> m, String key) {
    Object v = m.get(key);
    assertNotNull(v, "missing " + key + " in " + m.keySet());
    return asMap(v);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    return (Map<String, Object>) o;
  }

  private static List<?> list(Map<String, Object> m, String key) {
    Object v = m.get(key);
    assertNotNull(v, "missing " + key + " in " + m.keySet());
    return (List<?>) v;
  }
}
