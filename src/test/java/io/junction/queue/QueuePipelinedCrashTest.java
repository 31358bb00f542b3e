package io.junction.queue;

import io.junction.testing.ChildNode;
import java.nio.file.Path;

/**
 * The kill -9 scenario of {@link QueueCrashTest} with the write pipeline on ({@code
 * junction.journal.pipeline}, docs/QUEUES.md): a publish is acknowledged only once the journal's
 * lane reports its write durable. ({@code QueuePostgresCrashTest} runs pipelined too.)
 */
class QueuePipelinedCrashTest extends QueueCrashTest {

  @Override
  protected ChildNode startNode(Path dir) throws Exception {
    return ChildNode.start(dir, config(dir, "journal.pipeline = on"));
  }
}
