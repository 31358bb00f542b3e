package io.junction.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private IPv4 network of Linux network namespaces for partition tests (needs root, as CI runs
 * the interop tests): a bridge in the root namespace holding {@code 10.A.B.1/24}, and one namespace
 * per host, attached to the bridge by a veth pair, at {@code 10.A.B.(10 + n)}. The test itself, in
 * the root namespace, reaches every host through the bridge.
 *
 * <p>{@link #cut} partitions two hosts with blackhole routes inside both namespaces: each side's
 * packets to the other are discarded by its own routing table, while both still reach the bridge
 * and every other host (a shared journal, the test's HTTP clients). No iptables needed.
 *
 * <p>Every name carries this JVM's pid ({@code jt<pid>-<n>} namespaces, {@code jb<pid>} bridge,
 * {@code jv<pid>-<n>} veth ends). {@link #close()} kills whatever still runs in the namespaces and
 * deletes them and the bridge; {@link #create()} first removes what a killed earlier run left
 * behind (names whose pid is no longer alive), since its {@code finally} never ran.
 */
public final class NetworkLab implements AutoCloseable {
  private static final Pattern OURS = Pattern.compile("^j[tb](\\d+)(-\\d+)?$");
  private final long pid = ProcessHandle.current().pid();
  private final String bridge = "jb" + pid;
  private final String prefix;
  private final List<Host> hosts = new ArrayList<>();

  /** One namespace of the lab: its name and address. */
  public record Host(String namespace, String address) {
    /** The command prefix that runs a program inside this host's namespace. */
    public List<String> exec() {
      return List.of("ip", "netns", "exec", namespace);
    }
  }

  private NetworkLab() {
    // 10.A.B.0/24 from this JVM's pid: distinct for runs that overlap on one machine
    prefix = "10." + (pid >> 8 & 0xff) + "." + (pid & 0xff) + ".";
  }

  /** A fresh lab with its bridge up; fails, naming the reason, when namespaces are not allowed. */
  public static NetworkLab create() throws IOException, InterruptedException {
    NetworkLab lab = new NetworkLab();
    try {
      sweepLeftovers();
      String addresses = run("ip", "-o", "-4", "addr");
      if (addresses.contains(" " + lab.prefix))
        throw new AssertionError(lab.prefix + "0/24 is already in use here:\n" + addresses);
      run("ip", "link", "add", lab.bridge, "type", "bridge");
      run("ip", "addr", "add", lab.prefix + "1/24", "dev", lab.bridge);
      run("ip", "link", "set", lab.bridge, "up");
    } catch (IOException | AssertionError e) {
      try {
        lab.close();
      } catch (IOException | AssertionError suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new AssertionError(
          "cannot build a test network (run as root, with iproute2 and network namespaces): "
              + e.getMessage(),
          e);
    }
    return lab;
  }

  /** The address the test (root namespace) has on the lab's bridge. */
  public String gateway() {
    return prefix + "1";
  }

  /** Adds host {@code n} (0..99) in a new namespace at {@code 10.A.B.(10 + n)}. */
  public Host addHost(int n) throws IOException, InterruptedException {
    String ns = "jt" + pid + "-" + n;
    String veth = "jv" + pid + "-" + n;
    Host host = new Host(ns, prefix + (10 + n));
    try {
      run("ip", "netns", "add", ns);
    } catch (AssertionError e) {
      throw new AssertionError(
          "cannot create network namespace " + ns + " (the test needs root): " + e.getMessage(), e);
    }
    hosts.add(host);
    run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
    run("ip", "link", "set", veth, "master", bridge, "up");
    run("ip", "-n", ns, "addr", "add", host.address() + "/24", "dev", "eth0");
    run("ip", "-n", ns, "link", "set", "eth0", "up");
    run("ip", "-n", ns, "link", "set", "lo", "up");
    return host;
  }

  /** Partitions {@code a} and {@code b}: neither's packets reach the other any more. */
  public void cut(Host a, Host b) throws IOException, InterruptedException {
    run("ip", "-n", a.namespace(), "route", "add", "blackhole", b.address() + "/32");
    run("ip", "-n", b.namespace(), "route", "add", "blackhole", a.address() + "/32");
  }

  /** Undoes {@link #cut}. */
  public void heal(Host a, Host b) throws IOException, InterruptedException {
    run("ip", "-n", a.namespace(), "route", "del", "blackhole", b.address() + "/32");
    run("ip", "-n", b.namespace(), "route", "del", "blackhole", a.address() + "/32");
  }

  /**
   * Kills every process still running in the lab's namespaces (all started by this test), then
   * deletes the namespaces (their veth pairs go with them) and the bridge. Best effort: it goes on
   * past a failure and reports the first one at the end.
   */
  @Override
  public void close() throws IOException, InterruptedException {
    AssertionError first = null;
    for (Host h : hosts) {
      try {
        delete(h.namespace());
      } catch (AssertionError e) {
        if (first == null) first = e;
      }
    }
    hosts.clear();
    try {
      if (run("ip", "-o", "link", "show").contains(" " + bridge + ":"))
        run("ip", "link", "del", bridge);
    } catch (AssertionError e) {
      if (first == null) first = e;
    }
    if (first != null) throw first;
  }

  private static void delete(String namespace) throws IOException, InterruptedException {
    for (String p : run("ip", "netns", "pids", namespace).split("\\s+")) {
      if (p.isBlank()) continue;
      ProcessHandle.of(Long.parseLong(p))
          .ifPresent(
              h -> {
                h.destroyForcibly();
                h.onExit().orTimeout(30, TimeUnit.SECONDS).join();
              });
    }
    run("ip", "netns", "del", namespace);
  }

  /** Removes namespaces and bridges of earlier runs whose JVM is gone. */
  private static void sweepLeftovers() throws IOException, InterruptedException {
    for (String line : run("ip", "netns", "list").split("\n")) {
      String name = line.split(" ")[0];
      if (isLeftover(name)) delete(name);
    }
    for (String line : run("ip", "-o", "link", "show", "type", "bridge").split("\n")) {
      String[] parts = line.split(":\\s+");
      if (parts.length > 1 && isLeftover(parts[1])) run("ip", "link", "del", parts[1]);
    }
  }

  private static boolean isLeftover(String name) {
    Matcher m = OURS.matcher(name);
    return m.find() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty();
  }

  /** Runs a command to completion (bounded); its output, or an AssertionError naming it. */
  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + ": no answer within 30 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0)
      throw new AssertionError(
          String.join(" ", command) + " failed (" + p.exitValue() + "): " + out.strip());
    return out;
  }
}
