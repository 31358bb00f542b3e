package io.junction.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Futures from Pekko ({@code AskPattern.ask}, pekko-http's client and entities) are Scala's {@code
 * CompletableFuture} wrapper, which turns every non-async method ({@code thenApply}, {@code
 * handle}, ...) into its async form on the default executor. With a common pool parallelism of 1
 * (any machine with 2 cores) that executor is {@code ThreadPerTaskExecutor}: one new thread per
 * callback. On the publish path that was a thread per request and held the API to a tenth of
 * pekko-http's rate (docs/PERFORMANCE.md). Hop once onto the actor system's dispatcher instead;
 * what is chained after that runs on plain CompletableFutures, synchronously.
 */
public final class Stages {
  private Stages() {}

  /** {@code stage}'s outcome, completed on {@code executor} as a plain CompletableFuture. */
  public static <T> CompletableFuture<T> on(CompletionStage<T> stage, Executor executor) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenCompleteAsync(
        (value, failure) -> {
          if (failure != null) out.completeExceptionally(failure);
          else out.complete(value);
        },
        executor);
    return out;
  }
}
