package io.junction.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * A command that calls a running node's HTTP API: exit 0 when it worked, 1 with the node's problem
 * (or the connection error) on one line of stderr when it did not, 2 for a bad argument.
 */
abstract class ApiCommand implements Callable<Integer> {
  @Mixin ApiClient api;

  /** Does the work; any exception is the failure reported to the user. */
  abstract void execute() throws Exception;

  @Override
  public final Integer call() {
    try {
      execute();
      return 0;
    } catch (IllegalArgumentException | picocli.CommandLine.ParameterException e) {
      System.err.println("junction " + name() + ": " + e.getMessage());
      return 2; // usage: a bad argument, found before or without asking the node
    } catch (Exception e) {
      System.err.println("junction " + name() + ": " + e.getMessage());
      return 1;
    }
  }

  /** The command group's name, for the error line (e.g. {@code queue}). */
  String name() {
    return "queue";
  }
}
