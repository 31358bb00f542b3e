package io.junction.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.junction.Main;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The API client's HTTP client costs a selector thread, so only a command that calls gets one. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ApiClientTest {

  /** The JDK names each client's selector thread "HttpClient-<id>-SelectorManager". */
  private static Set<String> selectorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith("HttpClient-") && n.endsWith("-SelectorManager"))
        .collect(Collectors.toSet());
  }

  private static void collectApiClients(CommandLine cl, List<ApiClient> into) {
    for (Object mixin : cl.getMixins().values()) {
      if (mixin instanceof ApiClient api) into.add(api);
    }
    for (CommandLine sub : cl.getSubcommands().values()) collectApiClients(sub, into);
  }

  @Test
  void buildingTheCommandLineStartsNoHttpClientUntilACommandCalls() {
    Set<String> before = selectorThreads();
    // What `junction run` builds before it runs: every subcommand with its mixins.
    CommandLine cl = Main.commandLine();
    List<ApiClient> clients = new ArrayList<>();
    collectApiClients(cl, clients);
    assertFalse(clients.isEmpty(), "no command mixes in ApiClient");

    Set<String> idle = selectorThreads();
    idle.removeAll(before);
    assertEquals(Set.of(), idle, clients.size() + " ApiClient mixins built");

    ApiClient first = clients.get(0);
    assertSame(first.http(), first.http());
    Set<String> used = selectorThreads();
    used.removeAll(before);
    assertEquals(1, used.size(), "one client after first use: " + used);
  }
}
