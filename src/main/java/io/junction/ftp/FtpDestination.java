package io.junction.ftp;

import io.junction.endpoint.EndpointStatus;
import io.junction.message.Envelope;
import io.junction.metrics.EndpointMetrics;
import io.junction.metrics.Metrics;
import io.junction.routing.Deliver;
import io.junction.routing.Router;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Destination {@code ftp:<name>}: writes routed messages to files on a remote server through {@link
 * SafeUpload}, one file per message or batched by record count, bytes and time.
 *
 * <p>Contract: every message of a file is acknowledged ({@code Delivered}) only after the file was
 * renamed into place on the server. A retryable failure (dropped connection, timeout) is retried
 * with exponential backoff up to {@code retry.max-attempts}, one upload at a time (no storm); a
 * permanent one (authentication, permission) fails the file's messages at once. Memory is bounded:
 * one file uploading plus at most {@code max-pending-records}/{@code max-pending-bytes} waiting;
 * beyond that a message is refused as busy.
 *
 * <p>Graceful shutdown ({@link CoordinatedShutdown}, phase {@code service-requests-done}) flushes
 * the open batch: it is written and renamed like any other, its messages acknowledged, within that
 * phase's timeout. Messages not yet in a renamed file when the actor stops or restarts (the flush
 * did not finish in time, or the actor failed) are answered {@code DeliveryFailed}, never {@code
 * Delivered}.
 *
 * <p>Temporary file: every file is uploaded as {@link #temporaryName} ({@code
 * directory/.<endpoint>@<node>.part}) and then renamed to its final name. File names never repeat
 * ({@code {seq}}), so a per-file temporary ({@code .name.part}) orphaned by a kill mid-upload would
 * never be reused; this one name, owned by this destination on this node, is. At start, before the
 * first upload, the destination removes it (a {@code kill -9} leaves it behind), and any later
 * upload replaces it. Only that exact name is touched, never a pattern or a listing, so other
 * nodes' (other {@code node-name}) and other endpoints' uploads in progress into the same directory
 * are safe. It needs nodes that share a directory to have distinct node names, which a cluster
 * needs anyway. It lives in {@code directory} even when {@code file-name} adds subdirectories, so a
 * restart always knows where to look; the rename moves it into the subdirectory.
 */
public final class FtpDestination extends AbstractBehavior<FtpDestination.Command> {

  /** Messages the destination accepts. */
  public sealed interface Command {}

  /** Ask for this destination's status. */
  public record GetStatus(ActorRef<EndpointStatus> replyTo) implements Command {}

  private record Delivery(Deliver deliver) implements Command {}

  private record SeqLoaded(long next) implements Command {}

  private record TemporaryRemoved(long next, Throwable failure, int attempt) implements Command {}

  private record RetryRemoval(long next, int attempt) implements Command {}

  private record MaxWaitReached(long batch) implements Command {}

  private record Uploaded(Batch batch) implements Command {}

  private record UploadFailed(Batch batch, Throwable cause) implements Command {}

  private record RetryUpload(Batch batch) implements Command {}

  private record SeqStoreFailed(Throwable cause) implements Command {}

  /** Seal the open batch and answer once nothing is left to write (graceful shutdown). */
  private record Flush(ActorRef<Done> replyTo) implements Command {}

  private static final int SEQ_BLOCK = 100;
  private final FtpEndpointSettings endpoint;
  private final DestinationSettings settings;
  private final String name;
  private final TimerScheduler<Command> timers;
  private final EndpointMetrics metrics;
  private final Path seqFile;
  private final String temporary;
  private final ArrayDeque<Batch> sealed = new ArrayDeque<>();
  private final Set<String> knownDirectories = new HashSet<>();
  private Batch open;
  private Batch uploading;
  private int pendingRecords;
  private long pendingBytes;
  private long nextSeq = -1; // -1 until loaded
  private long seqReservedUpTo;
  private long nextBatchId;
  private long filesWritten;
  private long recordsWritten;
  private long refused;
  private String detail = "";
  private final Cancellable flushOnShutdown;
  private final List<ActorRef<Done>> flushWaiters = new ArrayList<>(); // non-empty: flushing

  /** Creates the destination; it registers itself with {@code router} as {@code ftp:<name>}. */
  public static Behavior<Command> create(
      FtpEndpointSettings endpoint,
      ActorRef<Router.Command> router,
      Path dataDir,
      String nodeName) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                t -> new FtpDestination(ctx, t, endpoint, router, dataDir, nodeName)));
  }

  /**
   * The one temporary name endpoint {@code endpoint} on node {@code nodeName} uploads through:
   * {@code directory/.<endpoint>@<node>.part}. Characters of the node name that are not letters,
   * digits, {@code .}, {@code _} or {@code -} become {@code _}. Pollers skip it ({@code .*.part}).
   */
  static String temporaryName(String directory, String endpoint, String nodeName) {
    String node = nodeName.replaceAll("[^A-Za-z0-9._-]", "_");
    return RemotePaths.child(directory, "." + endpoint + "@" + node + ".part");
  }

  private FtpDestination(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      FtpEndpointSettings endpoint,
      ActorRef<Router.Command> router,
      Path dataDir,
      String nodeName) {
    super(context);
    this.endpoint = endpoint;
    this.settings = endpoint.destination();
    this.name = "ftp:" + endpoint.name();
    this.timers = timers;
    this.metrics = Metrics.get(context.getSystem()).endpoint(endpoint.name(), "ftp");
    this.seqFile = dataDir.resolve("ftp-destination").resolve(endpoint.name() + ".seq");
    this.temporary = temporaryName(settings.directory(), endpoint.name(), nodeName);
    context.pipeToSelf(
        CompletableFuture.supplyAsync(this::readSeq, Ftp.blockingExecutor(context.getSystem())),
        (next, failure) -> failure == null ? new SeqLoaded(next) : new SeqStoreFailed(failure));
    router.tell(
        new Router.RegisterDestination(name, context.messageAdapter(Deliver.class, Delivery::new)));
    this.flushOnShutdown = registerFlush(context.getSelf(), context.getSystem(), name);
  }

  /** A shutdown task asking {@code self} to flush; cancelled when the actor stops before that. */
  private static Cancellable registerFlush(
      ActorRef<Command> self, ActorSystem<?> system, String name) {
    CoordinatedShutdown cs = CoordinatedShutdown.get(system);
    String phase = CoordinatedShutdown.PhaseServiceRequestsDone();
    Duration timeout = Duration.ofMillis(cs.timeout(phase).toMillis());
    return cs.addCancellableTask(
        phase,
        "flush-" + name,
        () -> AskPattern.ask(self, Flush::new, timeout, system.scheduler()));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Delivery.class, this::onDelivery)
        .onMessage(SeqLoaded.class, this::onSeqLoaded)
        .onMessage(TemporaryRemoved.class, this::onTemporaryRemoved)
        .onMessage(RetryRemoval.class, r -> removeTemporary(r.next(), r.attempt()))
        .onMessage(SeqStoreFailed.class, this::onSeqStoreFailed)
        .onMessage(MaxWaitReached.class, this::onMaxWaitReached)
        .onMessage(Uploaded.class, this::onUploaded)
        .onMessage(UploadFailed.class, this::onUploadFailed)
        .onMessage(RetryUpload.class, r -> startUpload(r.batch()))
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(Flush.class, this::onFlush)
        .onSignal(PostStop.class, s -> onStop())
        .onSignal(PreRestart.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onDelivery(Delivery d) {
    Envelope message = d.deliver().envelope();
    ByteString record;
    List<String> key;
    try {
      record = settings.encoding().encode(message, settings.codecs());
      key = settings.fileName().key(message);
    } catch (IllegalArgumentException e) { // includes UnsafePathException
      refuse(d.deliver(), e.getMessage());
      return this;
    }
    if (pendingRecords + 1 > settings.maxPendingRecords()
        || pendingBytes + record.size() > settings.maxPendingBytes()) {
      refuse(d.deliver(), "busy: " + pendingRecords + " messages already wait for the upload");
      return this;
    }
    if (open != null && !open.accepts(key, record.size(), settings)) seal();
    if (open == null) {
      open = new Batch(++nextBatchId, key, message);
      settings
          .maxWait()
          .ifPresent(w -> timers.startSingleTimer(open.id, new MaxWaitReached(open.id), w));
    }
    open.add(d.deliver(), record);
    pendingRecords++;
    pendingBytes += record.size();
    if (open.isFull(settings)) seal();
    uploadNext();
    return this;
  }

  private void refuse(Deliver d, String reason) {
    refused++;
    metrics.dropped.increment();
    getContext().getLog().warn("{} refused message {}: {}", name, d.envelope().id(), reason);
    d.fail(name, reason);
  }

  private void seal() {
    timers.cancel(open.id);
    sealed.add(open);
    open = null;
  }

  private Behavior<Command> onMaxWaitReached(MaxWaitReached m) {
    if (open != null && open.id == m.batch()) seal();
    uploadNext();
    return this;
  }

  /**
   * Removes the temporary a killed predecessor may have left, then starts uploading: not before, or
   * the removal could hit this run's own upload. A server that is not up yet (one started with the
   * node, as the demo's) is tried again as an upload would be; a failure after that is only logged:
   * the next upload replaces the file anyway.
   */
  private Behavior<Command> onSeqLoaded(SeqLoaded s) {
    return removeTemporary(s.next(), 1);
  }

  private Behavior<Command> removeTemporary(long next, int attempt) {
    getContext()
        .pipeToSelf(
            Ftp.remove(endpoint.remote(), temporary, getContext().getSystem()),
            (done, failure) -> new TemporaryRemoved(next, failure, attempt));
    return this;
  }

  private Behavior<Command> onTemporaryRemoved(TemporaryRemoved s) {
    Throwable cause = s.failure() == null ? null : unwrap(s.failure());
    if (cause instanceof RemoteException r
        && r.isRetryable()
        && s.attempt() < settings.retry().maxAttempts()) {
      var pause = settings.retry().backoff(s.attempt());
      getContext()
          .getLog()
          .debug(
              "{}: cannot remove {} at start (attempt {}), again in {} ms: {}",
              name,
              temporary,
              s.attempt(),
              pause.toMillis(),
              cause.getMessage());
      timers.startSingleTimer(
          "remove-temporary", new RetryRemoval(s.next(), s.attempt() + 1), pause);
      return this;
    }
    if (cause == null)
      getContext()
          .getLog()
          .info("{}: removed {}, left by an upload that did not finish", name, temporary);
    else if (!(cause instanceof RemoteException.NotFound))
      getContext()
          .getLog()
          .warn(
              "{}: cannot remove {} at start (the next upload replaces it): {}",
              name,
              temporary,
              cause.getMessage());
    nextSeq = s.next();
    seqReservedUpTo = s.next();
    uploadNext();
    return this;
  }

  private Behavior<Command> onSeqStoreFailed(SeqStoreFailed f) {
    // Without a durable sequence a new file could replace an acknowledged one: stop, let the
    // supervisor restart us with backoff.
    throw new IllegalStateException(name + ": cannot keep file sequence in " + seqFile, f.cause());
  }

  private Behavior<Command> onFlush(Flush f) {
    getContext()
        .getLog()
        .info("{}: flushing before shutdown ({} records pending)", name, pendingRecords);
    flushWaiters.add(f.replyTo());
    uploadNext();
    return this;
  }

  /**
   * Starts the next sealed batch if nothing is uploading and the sequence is known. When flushing,
   * the open batch is sealed as soon as nothing else waits, and the waiters are answered once
   * everything is written (or failed).
   */
  private void uploadNext() {
    if (!flushWaiters.isEmpty() && uploading == null && sealed.isEmpty() && open != null) seal();
    if (!flushWaiters.isEmpty() && uploading == null && sealed.isEmpty()) {
      flushWaiters.forEach(w -> w.tell(Done.getInstance()));
      flushWaiters.clear();
    }
    if (uploading != null || nextSeq < 0 || sealed.isEmpty()) return;
    Batch b = sealed.poll();
    pendingRecords -= b.delivers.size();
    pendingBytes -= b.bytes;
    uploading = b;
    if (nextSeq >= seqReservedUpTo) {
      // Reserve a block of numbers durably before using any of them, so a restart never reuses one.
      long upTo = nextSeq + SEQ_BLOCK;
      CompletionStage<Long> stored =
          CompletableFuture.supplyAsync(
              () -> writeSeq(upTo), Ftp.blockingExecutor(getContext().getSystem()));
      getContext()
          .pipeToSelf(
              stored,
              (v, failure) -> failure == null ? new RetryUpload(b) : new SeqStoreFailed(failure));
      seqReservedUpTo = upTo;
      return;
    }
    startUpload(b);
  }

  private Behavior<Command> startUpload(Batch b) {
    try {
      if (b.path == null)
        b.path =
            RemotePaths.resolve(
                settings.directory(),
                settings.fileName().render(endpoint.name(), nextSeq++, b.first));
    } catch (IllegalArgumentException e) {
      return onUploadFailed(new UploadFailed(b, e));
    }
    b.attempts++;
    String dir = RemotePaths.parent(b.path);
    CompletionStage<Done> ready =
        dir.isEmpty() || dir.equals(".") || knownDirectories.contains(dir)
            ? CompletableFuture.completedFuture(Done.getInstance())
            : Ftp.mkdirs(endpoint.remote(), dir, getContext().getSystem());
    CompletionStage<?> upload =
        ready.thenCompose(
            d -> {
              return Source.from(b.records)
                  .runWith(
                      SafeUpload.toPath(endpoint.remote(), b.path, temporary, false),
                      getContext().getSystem());
            });
    knownDirectories.add(dir); // removed again if the upload fails
    getContext()
        .pipeToSelf(
            upload,
            (r, failure) -> failure == null ? new Uploaded(b) : new UploadFailed(b, failure));
    return this;
  }

  private Behavior<Command> onUploaded(Uploaded u) {
    Batch b = u.batch();
    for (Deliver d : b.delivers) d.succeed(name);
    filesWritten++;
    recordsWritten += b.delivers.size();
    metrics.framesOut.increment(b.delivers.size());
    metrics.bytesOut.increment(b.bytes);
    detail = "";
    uploading = null;
    uploadNext();
    return this;
  }

  private Behavior<Command> onUploadFailed(UploadFailed f) {
    Batch b = f.batch();
    Throwable cause = unwrap(f.cause());
    knownDirectories.clear();
    boolean retryable = cause instanceof RemoteException r && r.isRetryable();
    detail = cause.getMessage();
    if (retryable && b.attempts < settings.retry().maxAttempts()) {
      var pause = settings.retry().backoff(b.attempts);
      getContext()
          .getLog()
          .warn(
              "{}: writing {} failed (attempt {}), retrying in {} ms: {}",
              name,
              b.path,
              b.attempts,
              pause.toMillis(),
              cause.getMessage());
      timers.startSingleTimer("retry", new RetryUpload(b), pause);
      return this;
    }
    getContext()
        .getLog()
        .error(
            "{}: writing {} failed after {} attempt(s), {} message(s) not delivered: {}",
            name,
            b.path,
            b.attempts,
            b.delivers.size(),
            cause.getMessage());
    String reason = "cannot write " + b.path + ": " + cause.getMessage();
    for (Deliver d : b.delivers) d.fail(name, reason);
    metrics.handlerFailures.increment();
    uploading = null;
    uploadNext();
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    g.replyTo().tell(status());
    return this;
  }

  EndpointStatus status() {
    return new EndpointStatus(
        endpoint.name(),
        "ftp",
        endpoint.remote().server(),
        detail.isEmpty() ? "running" : "failing",
        0,
        detail,
        Map.of(
            "files-written", (double) filesWritten,
            "records-written", (double) recordsWritten,
            "records-pending",
                (double) pendingRecords + (uploading == null ? 0 : uploading.delivers.size()),
            "records-refused", (double) refused));
  }

  private Behavior<Command> onStop() {
    flushOnShutdown.cancel();
    List<Batch> unfinished = new ArrayList<>(sealed);
    if (uploading != null) unfinished.add(uploading);
    if (open != null) unfinished.add(open);
    for (Batch b : unfinished)
      for (Deliver d : b.delivers) d.fail(name, "stopped before the file was written");
    return this;
  }

  private long readSeq() {
    try {
      List<String> lines = LocalStateFile.read(seqFile);
      return lines.isEmpty() ? 1 : Long.parseLong(lines.get(0).trim());
    } catch (java.io.IOException e) {
      throw new CompletionException(e);
    }
  }

  private long writeSeq(long upTo) {
    try {
      LocalStateFile.write(seqFile, List.of(Long.toString(upTo)));
      return upTo;
    } catch (java.io.IOException e) {
      throw new CompletionException(e);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) t = t.getCause();
    return t;
  }

  /** The messages of one file. Mutable, but owned and touched only by this actor. */
  private static final class Batch {
    final long id;
    final List<String> key;
    final Envelope first;
    final List<Deliver> delivers = new ArrayList<>();
    final List<ByteString> records = new ArrayList<>();
    long bytes;
    int attempts;
    String path;

    Batch(long id, List<String> key, Envelope first) {
      this.id = id;
      this.key = key;
      this.first = first;
    }

    void add(Deliver d, ByteString record) {
      delivers.add(d);
      records.add(record);
      bytes += record.size();
    }

    boolean accepts(List<String> otherKey, int size, DestinationSettings s) {
      return key.equals(otherKey)
          && delivers.size() < s.maxRecords()
          && bytes + size <= s.maxBytes();
    }

    boolean isFull(DestinationSettings s) {
      return delivers.size() >= s.maxRecords() || bytes >= s.maxBytes();
    }
  }
}
