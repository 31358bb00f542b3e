package io.junction;

import io.junction.cli.CheckCommand;
import io.junction.cli.ClusterCommand;
import io.junction.cli.FtpCommand;
import io.junction.cli.QueueCommand;
import io.junction.cli.RunCommand;
import io.junction.cli.SendCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code junction} command line: {@code run}, {@code check}, {@code send}, ... */
@Command(
    name = "junction",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A messaging node: TCP, UDP, HTTP, FTP, C structs, durable queues, routing.",
    subcommands = {
      RunCommand.class,
      CheckCommand.class,
      SendCommand.class,
      FtpCommand.class,
      QueueCommand.class,
      io.junction.cli.ReloadCommand.class,
      ClusterCommand.class,
      io.junction.cli.FaultsCommand.class,
      io.junction.cli.TailCommand.class,
      io.junction.cli.CompletionCommand.class,
      Main.VersionCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 ok, 1 runtime failure, 2 invalid configuration or usage.",
      "Examples:",
      "  junction run                                  # demo config, conf/application.conf",
      "  junction check --config conf/application.conf",
      "  junction send tcp://127.0.0.1:7003 --text hello --framing delimiter",
      "  junction ftp ls ftp://demo@127.0.0.1:2121/archive/ --password-file conf/demo-ftp.password",
      "  junction reload --url http://127.0.0.1:8080",
      "  junction tail topic:alerts",
      "  source <(junction completion)",
      "Every command has --help; see docs/CLI.md."
    })
public final class Main implements Runnable {

  public static void main(String[] args) {
    if (args.length == 0 || !args[0].equals("run")) io.junction.logging.LogFormat.warningsOnly();
    System.exit(commandLine().execute(args));
  }

  /** The command line, shared by {@code main} and tests. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExitCodeExceptionMapper(e -> 2);
    cl.setCaseInsensitiveEnumValuesAllowed(true); // --output json, as the help text spells it
    return cl;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  /** Prints the version. */
  @Command(
      name = "version",
      mixinStandardHelpOptions = true,
      description = "Print the version and exit.",
      footer = {
        "",
        "Examples:",
        "  junction version",
        "  junction version --output json",
        "Exit codes: 0 printed."
      })
  static final class VersionCommand implements Runnable {
    @CommandLine.Option(names = "--output", defaultValue = "text", description = "text or json.")
    String output;

    @Override
    public void run() {
      if (output.equalsIgnoreCase("json"))
        System.out.printf(
            "{\"name\":\"junction\",\"version\":\"%s\",\"java\":\"%s\"}%n",
            Version.VERSION, System.getProperty("java.version"));
      else System.out.println("junction " + Version.VERSION);
    }
  }

  /** The version as packaged in the jar's manifest, or "dev". */
  static final class Version implements CommandLine.IVersionProvider {
    static final String VERSION =
        java.util.Optional.ofNullable(Main.class.getPackage().getImplementationVersion())
            .orElse("dev");

    @Override
    public String[] getVersion() {
      return new String[] {"junction " + VERSION};
    }
  }
}
