package io.junction.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Where the continuations of an ask at the HTTP edge run.
 *
 * <p>{@code AskPattern.ask} returns Scala's future adapter, which runs every dependent stage
 * ({@code thenApply}, {@code handle}, ...) asynchronously on {@code ForkJoinPool.commonPool()}. On
 * a 2-core machine that pool has parallelism 1, and {@link CompletableFuture} then starts a new
 * thread for every stage: under the queue benchmark that was ~1,500 threads created per second (JFR
 * {@code jdk.ThreadStart}), a large share of the node's CPU. Handing the reply over once to the
 * actor system's dispatcher keeps the continuations on its threads.
 */
final class Asks {
  private Asks() {}

  /** {@code reply}, completed on {@code executor}; its dependents then run synchronously. */
  static <T> CompletionStage<T> on(Executor executor, CompletionStage<T> reply) {
    CompletableFuture<T> out = new CompletableFuture<>();
    reply.whenCompleteAsync(
        (value, failure) -> {
          if (failure == null) out.complete(value);
          else out.completeExceptionally(failure);
        },
        executor);
    return out;
  }
}
