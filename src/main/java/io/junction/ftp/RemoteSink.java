package io.junction.ftp;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.AbruptStageTerminationException;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.SinkShape;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Writes incoming bytes to a remote file, pulling the next element only after the previous one was
 * written (backpressure to the producer). Connects in {@code preStart}; on upstream completion it
 * closes the transfer and checks the server's final reply before completing the materialized {@link
 * IOResult}; on upstream failure it drops the connection and fails with that failure. Blocks: run
 * it on {@code junction.blocking-io-dispatcher}.
 *
 * <p>Optional work runs on the same connection before the transfer ({@code before}, e.g. creating
 * the directory) and after the server confirmed it ({@code after}, e.g. checking the size and
 * renaming), so a safe upload costs one login, not three.
 */
final class RemoteSink
    extends AbstractGraphStageWithMaterializedValue<
        SinkShape<ByteString>, CompletionStage<IOResult>> {

  private final Inlet<ByteString> in = Inlet.create("RemoteSink.in");
  private final SinkShape<ByteString> shape = SinkShape.of(in);
  private final RemoteSettings settings;
  private final String path;
  private final boolean append;
  private final SessionStep before;
  private final AfterUpload after;
  private final boolean digestBytes;

  /** Work on the open session before the transfer starts. */
  interface SessionStep {
    void run(RemoteSession session) throws IOException;
  }

  /**
   * Work on the open session after the server confirmed {@code bytes} bytes; {@code digest} holds
   * them if the sink was asked to digest and the server offers one ({@link FtpDigests}), else null.
   */
  interface AfterUpload {
    void run(RemoteSession session, long bytes, MessageDigest digest) throws IOException;
  }

  RemoteSink(RemoteSettings settings, String path, boolean append) {
    this(settings, path, append, s -> {}, (s, n, d) -> {}, false);
  }

  RemoteSink(
      RemoteSettings settings,
      String path,
      boolean append,
      SessionStep before,
      AfterUpload after,
      boolean digest) {
    this.settings = settings;
    this.path = path;
    this.append = append;
    this.before = before;
    this.after = after;
    this.digestBytes = digest;
  }

  @Override
  public SinkShape<ByteString> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, CompletionStage<IOResult>> createLogicAndMaterializedValuePair(
      Attributes attributes) {
    CompletableFuture<IOResult> result = new CompletableFuture<>();
    return Pair.create(new Logic(result), result);
  }

  private final class Logic extends GraphStageLogic {
    private final CompletableFuture<IOResult> result;
    private RemoteSession session;
    private OutputStream out;
    private MessageDigest digest;
    private long count;

    Logic(CompletableFuture<IOResult> result) {
      super(shape);
      this.result = result;
      setHandler(
          in,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              write(grab(in));
            }

            @Override
            public void onUpstreamFinish() {
              finish();
            }

            @Override
            public void onUpstreamFailure(Throwable cause) {
              abort();
              result.completeExceptionally(cause);
              failStage(cause);
            }
          });
    }

    @Override
    public void preStart() {
      try {
        session = RemoteSession.open(settings);
        before.run(session);
        if (digestBytes) digest = session.digestAlgorithm().map(FtpDigests::newDigest).orElse(null);
        out = session.write(path, append);
        pull(in);
      } catch (IOException e) {
        fail(e);
      }
    }

    private void write(ByteString bytes) {
      try {
        // No copy for the usual compact chunk; the array is only read, never kept or changed.
        byte[] array = bytes.toArrayUnsafe();
        out.write(array);
        if (digest != null) digest.update(array);
        count += bytes.size();
        pull(in);
      } catch (IOException e) {
        fail(e);
      }
    }

    private void finish() {
      try {
        out.close(); // waits for the server to confirm the whole file
        out = null;
        after.run(session, count, digest);
        session.close();
        session = null;
        result.complete(IOResult.createSuccessful(count));
        completeStage();
      } catch (IOException e) {
        fail(e);
      }
    }

    private void fail(IOException e) {
      abort();
      result.completeExceptionally(e);
      failStage(e);
    }

    private void abort() {
      out = null;
      RemoteSession open = session;
      session = null; // first: close runs at most once, even if it throws
      if (open != null) open.close();
    }

    @Override
    public void postStop() {
      abort();
      if (!result.isDone()) result.completeExceptionally(new AbruptStageTerminationException(this));
    }
  }
}
