package io.junction.bench;

import java.util.HashMap;
import java.util.Map;

/** Tiny "--key value" command-line parser shared by the bench tools; unknown keys fail fast. */
final class Args {
  private final Map<String, String> values = new HashMap<>();

  Args(String[] argv, String... allowed) {
    for (int i = 0; i < argv.length; i++) {
      String key = argv[i];
      if (!key.startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --key value, got: " + key);
      }
      String name = key.substring(2);
      if (!java.util.List.of(allowed).contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "; allowed: " + String.join(", ", allowed));
      }
      values.put(name, argv[++i]);
    }
  }

  String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  int getInt(String name, int fallback) {
    String v = values.get(name);
    return v == null ? fallback : Integer.parseInt(v);
  }

  long getLong(String name, long fallback) {
    String v = values.get(name);
    return v == null ? fallback : Long.parseLong(v);
  }

  /** Parses "host:port" into its parts; the host defaults to loopback. */
  static java.net.InetSocketAddress hostPort(String spec) {
    int colon = spec.lastIndexOf(':');
    String host = colon <= 0 ? "127.0.0.1" : spec.substring(0, colon);
    return new java.net.InetSocketAddress(host, Integer.parseInt(spec.substring(colon + 1)));
  }
}
