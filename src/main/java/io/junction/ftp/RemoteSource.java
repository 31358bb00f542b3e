package io.junction.ftp;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.AbruptStageTerminationException;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Emits a remote file's bytes from an offset, one {@code buffer-size} chunk per pull, so memory
 * stays flat whatever the file size. Connects in {@code preStart} and disconnects on completion,
 * failure and cancellation. Blocks: run it on {@code junction.blocking-io-dispatcher}.
 *
 * <p>The materialized {@link IOResult} counts the bytes emitted; it fails with the stream's failure
 * (a {@link RemoteException}) and completes normally on cancellation.
 */
final class RemoteSource
    extends AbstractGraphStageWithMaterializedValue<
        SourceShape<ByteString>, CompletionStage<IOResult>> {

  private final Outlet<ByteString> out = Outlet.create("RemoteSource.out");
  private final SourceShape<ByteString> shape = SourceShape.of(out);
  private final RemoteSettings settings;
  private final String path;
  private final long offset;

  RemoteSource(RemoteSettings settings, String path, long offset) {
    this.settings = settings;
    this.path = path;
    this.offset = offset;
  }

  @Override
  public SourceShape<ByteString> shape() {
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
    private InputStream in;
    private long count;

    Logic(CompletableFuture<IOResult> result) {
      super(shape);
      this.result = result;
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              readChunk();
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              abort();
              result.complete(IOResult.createSuccessful(count));
              cancelStage(cause);
            }
          });
    }

    @Override
    public void preStart() {
      try {
        session = RemoteSession.open(settings);
        in = session.read(path, offset);
      } catch (IOException e) {
        fail(e);
      }
    }

    private void readChunk() {
      try {
        // A fresh array per chunk, filled as far as the stream gives, handed over without a copy.
        byte[] chunk = new byte[settings.bufferSize()];
        int n = in.readNBytes(chunk, 0, chunk.length);
        if (n == 0) {
          in.close(); // verifies the server's final reply: a truncated transfer fails here
          in = null;
          session.close();
          session = null;
          result.complete(IOResult.createSuccessful(count));
          completeStage();
        } else {
          count += n;
          push(out, ByteString.fromArrayUnsafe(chunk, 0, n));
        }
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
      in = null;
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
