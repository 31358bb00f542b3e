package io.junction.bench;

import java.util.List;

/** One broker's producers and consumers for a {@link QueueRun}; see {@link QueueBench}. */
interface QueueLoad {
  /** Declares (or creates) the run's queue. */
  void setUp() throws Exception;

  /** The threads of producer {@code id}: up to {@code window} publishes awaiting confirmation. */
  List<Runnable> producer(int id, int window, QueueRun run) throws Exception;

  /** The loop of consumer {@code id}; returns once {@code run.consuming} is false. */
  Runnable consumer(int id, QueueRun run) throws Exception;

  /** Removes the queue (best effort). */
  void tearDown() throws Exception;
}
