package io.junction.routing;

import java.util.Set;

/**
 * Where a route sends a message, parsed from its name: {@code reply}, {@code log}, {@code discard},
 * or {@code kind:name} such as {@code tcp:plc} (a TCP client, or every connection of a TCP server).
 */
public sealed interface Destination {

  /** Kinds of named destinations this node knows. */
  Set<String> KINDS = Set.of("tcp", "udp", "http", "ftp", "queue", "topic");

  /** The text as written in config, e.g. {@code tcp:plc}. */
  String text();

  /** Back to where the message came from, encoded with that endpoint's codec. */
  enum Reply implements Destination {
    INSTANCE;

    @Override
    public String text() {
      return "reply";
    }
  }

  /** Written to the node's log, one line per message. */
  enum Log implements Destination {
    INSTANCE;

    @Override
    public String text() {
      return "log";
    }
  }

  /** Accepted and dropped at once, like /dev/null: for tests, benchmarks and muting a route. */
  enum Discard implements Destination {
    INSTANCE;

    @Override
    public String text() {
      return "discard";
    }
  }

  /** A destination actor registered under {@code kind:target}. */
  record Named(String kind, String target) implements Destination {
    @Override
    public String text() {
      return kind + ":" + target;
    }
  }

  /** Parses a destination name; throws {@link IllegalArgumentException} naming what is wrong. */
  static Destination parse(String text) {
    if (text.equals("reply")) return Reply.INSTANCE;
    if (text.equals("log")) return Log.INSTANCE;
    if (text.equals("discard")) return Discard.INSTANCE;
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1)
      throw new IllegalArgumentException(
          "'" + text + "' is not a destination (expected reply, log, discard or KIND:NAME)");
    String kind = text.substring(0, colon);
    if (!KINDS.contains(kind))
      throw new IllegalArgumentException(
          "unknown destination kind '"
              + kind
              + "' in '"
              + text
              + "' (expected one of "
              + KINDS.stream().sorted().toList()
              + ")");
    return new Named(kind, text.substring(colon + 1));
  }
}
