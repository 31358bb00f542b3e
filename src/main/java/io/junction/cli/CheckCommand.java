package io.junction.cli;

import io.junction.config.ConfigProblems;
import io.junction.node.NodeSettings;
import io.junction.tcp.TcpSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Validates a configuration without starting anything; exit 2 lists every problem. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description =
        "Validate a configuration: list every problem by config path (exit 2), or print"
            + " the endpoints, struct layouts and routes it defines (exit 0).",
    footer = {
      "",
      "Examples:",
      "  junction check --config conf/application.conf",
      "  junction check --output json | jq '.routes[].name'",
      "Exit codes: 0 valid, 2 invalid configuration (every problem listed) or usage."
    })
public final class CheckCommand implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      description = "Configuration file (default: ${DEFAULT-VALUE}).",
      defaultValue = "conf/application.conf")
  Path config;

  @Option(
      names = "--output",
      defaultValue = "text",
      description = "text or json (json: {config, valid, problems} or what the config defines).")
  Output.Format output;

  @Override
  public Integer call() {
    NodeSettings settings;
    try {
      settings = NodeSettings.fromConfig(ConfigLoader.load(config));
    } catch (ConfigProblems.InvalidConfigException e) {
      if (output == Output.Format.JSON)
        System.out.println(
            Output.json(
                Map.of(
                    "config",
                    config.toString(),
                    "valid",
                    false,
                    "problems",
                    e.problems().stream()
                        .map(p -> Map.of("path", p.path(), "message", p.message()))
                        .toList())));
      System.err.println(config + ": " + e.getMessage());
      return 2;
    }
    if (output == Output.Format.JSON) {
      System.out.println(Output.json(CheckReport.of(config, settings)));
      return 0;
    }
    System.out.println(config + ": OK");
    for (TcpSettings.Server s : settings.tcpServers())
      System.out.printf(
          "endpoint %-12s tcp-server %s:%d framing=%s codec=%s%n",
          s.name(), s.host(), s.port(), s.framing(), s.codec().name());
    for (TcpSettings.Client c : settings.tcpClients())
      System.out.printf(
          "endpoint %-12s tcp-client %s:%d framing=%s codec=%s%n",
          c.name(), c.host(), c.port(), c.framing(), c.codec().name());
    for (var u : settings.udp())
      System.out.printf(
          "endpoint %-12s udp        %s:%d codec=%s max-datagram-bytes=%d%n",
          u.name(), u.host(), u.port(), u.codec().name(), u.maxDatagramBytes());
    for (var p : settings.httpPolls())
      System.out.printf(
          "endpoint %-12s http-poll  %s every %s codec=%s%n",
          p.name(), p.url(), p.interval(), p.codec().name());
    System.out.print(settings.codecs().describe());
    for (var q : settings.queues().declared().keySet()) System.out.printf("queue %s%n", q);
    for (var p : settings.queues().policies())
      System.out.printf(
          "queue policy %-8s pattern %s priority %d%n", p.name(), p.pattern(), p.priority());
    settings
        .routes()
        .forEach(
            r ->
                System.out.printf(
                    "route %-14s from %s to %s%n",
                    r.name(), r.from(), r.to().stream().map(d -> d.text()).toList()));
    return 0;
  }
}
