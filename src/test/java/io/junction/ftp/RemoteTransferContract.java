package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behaviour every protocol must show against a real server on 127.0.0.1: streaming round trips,
 * offsets, listings, operations, connection cleanup, safe upload, resuming download, specific
 * errors and path checks. Subclasses start the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class RemoteTransferContract {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final RetryPolicy FAST_RETRY =
      new RetryPolicy(5, Duration.ofMillis(20), Duration.ofMillis(200));

  Path tmp;
  ActorTestKit testKit;
  ActorSystem<Void> system;

  abstract void startServer(Path dir) throws Exception;

  abstract void stopServer() throws Exception;

  abstract RemoteSettings settings();

  abstract Path home();

  abstract int activeSessions();

  abstract int totalConnections();

  abstract void dropDownloads(long bytes, int times);

  /** The digest algorithm the server computes for downloads to be checked against, if any. */
  abstract Optional<String> serverDigest();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    tmp = dir;
    testKit = ActorTestKit.create(getClass().getSimpleName());
    system = testKit.system();
    startServer(tmp);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      stopServer();
    } finally {
      testKit.shutdownTestKit();
    }
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** The cause of a failed stage: what the caller of the API gets to handle. */
  static Throwable failure(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(stage));
    return SafeUpload.unwrap(e.getCause());
  }

  void awaitSessions(int expected) {
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(15),
            () -> {
              assertEquals(expected, activeSessions());
              return null;
            });
  }

  @Test
  void roundTripsA50MiBFileWithMatchingChecksum() throws Exception {
    long size = 50L * 1024 * 1024;
    Path local = TestFiles.random(tmp.resolve("local/big.bin"), size, 50);
    long t0 = System.nanoTime();
    IOResult up =
        await(FileIO.fromPath(local).runWith(Ftp.toPath(settings(), "big.bin", false), system));
    long t1 = System.nanoTime();
    String downloaded =
        await(Ftp.fromPath(settings(), "big.bin").runWith(TestFiles.sha256Sink(), system));
    long t2 = System.nanoTime();
    assertEquals(size, up.getCount());
    assertEquals(TestFiles.sha256(local), downloaded);
    System.out.printf(
        "%s: 50 MiB up %d ms, down %d ms%n",
        getClass().getSimpleName(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    Files.delete(home().resolve("big.bin"));
    Files.delete(local);
  }

  @Test
  void downloadsFromAnOffset() throws Exception {
    Path file = TestFiles.random(home().resolve("offset.bin"), 100_000, 7);
    byte[] all = Files.readAllBytes(file);
    var both =
        Ftp.fromPath(settings(), "offset.bin", 40_000)
            .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both())
            .run(system);
    ByteString bytes = await(both.second());
    IOResult io = await(both.first());
    assertEquals(60_000, io.getCount());
    assertArrayEquals(java.util.Arrays.copyOfRange(all, 40_000, all.length), bytes.toArray());
  }

  @Test
  void emitsChunksNoLargerThanTheBufferSize() throws Exception {
    TestFiles.random(home().resolve("chunks.bin"), 200_000, 13);
    int largest =
        await(
            Ftp.fromPath(settings().withBufferSize(4096), "chunks.bin")
                .runWith(Sink.fold(0, (max, b) -> Math.max(max, b.size())), system));
    assertTrue(largest > 0 && largest <= 4096, "largest chunk " + largest);
  }

  @Test
  void operationsRunOnTheBlockingIoDispatcher() throws Exception {
    String thread =
        await(Ftp.withSession(settings(), system, s -> Thread.currentThread().getName()));
    assertTrue(thread.contains("junction.blocking-io-dispatcher"), thread);
  }

  @Test
  void listsDirectoriesRecursivelyWithSizesAndTypes() throws Exception {
    Files.createDirectories(home().resolve("tree/sub/deeper"));
    Files.createDirectories(home().resolve("tree/empty"));
    Files.write(home().resolve("tree/a.txt"), new byte[10]);
    Files.write(home().resolve("tree/sub/b.txt"), new byte[20]);
    Files.write(home().resolve("tree/sub/deeper/c.txt"), new byte[30]);

    List<RemoteFile> all = await(Ftp.ls(settings(), "tree", true).runWith(Sink.seq(), system));
    Set<String> seen =
        all.stream()
            .map(f -> f.path() + " " + f.type() + (f.isFile() ? " " + f.size() : ""))
            .collect(Collectors.toSet());
    assertEquals(
        Set.of(
            "tree/a.txt FILE 10",
            "tree/sub DIRECTORY",
            "tree/empty DIRECTORY",
            "tree/sub/b.txt FILE 20",
            "tree/sub/deeper DIRECTORY",
            "tree/sub/deeper/c.txt FILE 30"),
        seen);
    RemoteFile a = all.stream().filter(f -> f.name().equals("a.txt")).findFirst().orElseThrow();
    assertTrue(Duration.between(a.modified(), Instant.now()).abs().toHours() < 24, a.toString());

    List<RemoteFile> top = await(Ftp.ls(settings(), "tree").runWith(Sink.seq(), system));
    assertEquals(3, top.size());
  }

  @Test
  void createsSizesMovesAndRemovesFiles() throws Exception {
    await(Ftp.mkdirs(settings(), "ops/x/y", system));
    await(Ftp.mkdirs(settings(), "ops/x/y", system)); // already there: still fine
    assertTrue(Files.isDirectory(home().resolve("ops/x/y")));

    upload("ops/x/y/f.bin", 1234);
    assertEquals(1234L, await(Ftp.size(settings(), "ops/x/y/f.bin", system)));

    await(Ftp.move(settings(), "ops/x/y/f.bin", "ops/g.bin", system));
    assertFalse(Files.exists(home().resolve("ops/x/y/f.bin")));
    assertEquals(1234L, Files.size(home().resolve("ops/g.bin")));

    upload("ops/h.bin", 10);
    await(Ftp.move(settings(), "ops/g.bin", "ops/h.bin", system)); // replaces h.bin
    assertEquals(1234L, Files.size(home().resolve("ops/h.bin")));

    await(Ftp.remove(settings(), "ops/h.bin", system));
    assertFalse(Files.exists(home().resolve("ops/h.bin")));
    assertInstanceOf(
        RemoteException.NotFound.class, failure(Ftp.size(settings(), "ops/h.bin", system)));
  }

  @Test
  void cancellingADownloadClosesTheConnection() throws Exception {
    TestFiles.random(home().resolve("cancel.bin"), 4 * 1024 * 1024, 3);
    awaitSessions(0);
    TestSubscriber.Probe<ByteString> probe =
        Ftp.fromPath(settings(), "cancel.bin").runWith(TestSink.create(system), system);
    probe.request(1);
    probe.expectNext(TIMEOUT);
    assertEquals(1, activeSessions());
    probe.cancel();
    awaitSessions(0);
  }

  @Test
  void failedSafeUploadLeavesNoFinalFileNoTemporaryFileAndNoConnection() throws Exception {
    Files.createDirectories(home().resolve("safe"));
    Source<ByteString, ?> failing =
        Source.range(1, 3)
            .map(i -> ByteString.fromArray(new byte[64 * 1024]))
            .concat(Source.failed(new IllegalStateException("producer failed")));
    Throwable cause =
        failure(failing.runWith(SafeUpload.toPath(settings(), "safe/fail.bin"), system));
    assertInstanceOf(IllegalStateException.class, cause);
    assertFalse(Files.exists(home().resolve("safe/fail.bin")));
    assertFalse(Files.exists(home().resolve("safe/.fail.bin.part")));
    awaitSessions(0);
  }

  @Test
  void safeUploadPublishesTheCompleteFileUnderItsFinalName() throws Exception {
    Files.createDirectories(home().resolve("safe"));
    Files.writeString(home().resolve("safe/ok.bin"), "old content");
    Path local = TestFiles.random(tmp.resolve("local/ok.bin"), 300_000, 11);
    IOResult result =
        await(FileIO.fromPath(local).runWith(SafeUpload.toPath(settings(), "safe/ok.bin"), system));
    assertEquals(300_000, result.getCount());
    assertEquals(TestFiles.sha256(local), TestFiles.sha256(home().resolve("safe/ok.bin")));
    assertFalse(Files.exists(home().resolve("safe/.ok.bin.part")));
  }

  @Test
  void safeUploadFromAFileCreatesDirectoriesReportsProgressAndReplacesTheFile() throws Exception {
    Files.createDirectories(home().resolve("fromfile/a"));
    Files.writeString(home().resolve("fromfile/a/f.bin"), "old content");
    Path local = TestFiles.random(tmp.resolve("local/f.bin"), 700_000, 12);
    java.util.concurrent.atomic.AtomicLong reported = new java.util.concurrent.atomic.AtomicLong();
    IOResult result =
        await(
            SafeUpload.fromFile(
                settings(), local, "fromfile/a/b/c/f.bin", true, reported::addAndGet, system));
    assertEquals(700_000, result.getCount());
    assertEquals(700_000, reported.get());
    assertEquals(TestFiles.sha256(local), TestFiles.sha256(home().resolve("fromfile/a/b/c/f.bin")));
    assertFalse(Files.exists(home().resolve("fromfile/a/b/c/.f.bin.part")));
    await(SafeUpload.fromFile(settings(), local, "fromfile/a/f.bin", false, n -> {}, system));
    assertEquals(TestFiles.sha256(local), TestFiles.sha256(home().resolve("fromfile/a/f.bin")));
    awaitSessions(0);
  }

  @Test
  void safeUploadFromAFileIntoAMissingDirectoryFailsAndLeavesNothing() throws Exception {
    Path local = TestFiles.random(tmp.resolve("local/g.bin"), 10_000, 13);
    Throwable cause =
        failure(
            SafeUpload.fromFile(settings(), local, "no-such-dir/g.bin", false, n -> {}, system));
    assertInstanceOf(RemoteException.class, cause, cause.toString());
    assertFalse(Files.exists(home().resolve("no-such-dir")));
    awaitSessions(0);
  }

  @Test
  void downloadResumesAfterDroppedConnectionsAndMatchesChecksum() throws Exception {
    Path remote = TestFiles.random(home().resolve("resume.bin"), 3 * 1024 * 1024, 5);
    dropDownloads(1024 * 1024, 2);
    Path target = tmp.resolve("downloads/resume.bin");
    List<Long> offsets = new CopyOnWriteArrayList<>();
    AtomicLong reported = new AtomicLong();
    ResumingDownload.Progress progress =
        new ResumingDownload.Progress() {
          @Override
          public void started(long size, long offset) {
            offsets.add(offset);
            reported.set(offset);
          }

          @Override
          public void add(long n) {
            reported.addAndGet(n);
          }
        };
    int before = totalConnections();
    ResumingDownload.Result result =
        await(
            ResumingDownload.toFile(
                settings(), "resume.bin", target, FAST_RETRY, progress, system));
    assertEquals(3, result.attempts());
    // size and retrieve share the attempt's connection: one login each, not two
    assertEquals(3, totalConnections() - before, "connections");
    assertEquals(3, offsets.size(), offsets.toString());
    assertEquals(0L, offsets.get(0));
    assertTrue(
        0 < offsets.get(1) && offsets.get(1) < offsets.get(2),
        "resumed from the bytes already here: " + offsets);
    assertEquals(Files.size(remote), reported.get());
    assertEquals(Files.size(remote), result.bytes());
    // the server's digest covers the whole file: the resumed attempt counted the bytes already here
    assertEquals(serverDigest(), result.verifiedWith());
    assertEquals(TestFiles.sha256(remote), TestFiles.sha256(target));
    assertFalse(Files.exists(tmp.resolve("downloads/.resume.bin.part")));
  }

  @Test
  void plainDownloadFailsInsteadOfEndingShortWhenTheServerDrops() throws Exception {
    TestFiles.random(home().resolve("short.bin"), 1024 * 1024, 9);
    dropDownloads(256 * 1024, 1);
    Throwable cause =
        failure(Ftp.fromPath(settings(), "short.bin").runWith(TestFiles.sha256Sink(), system));
    assertInstanceOf(RemoteException.TransferFailed.class, cause, cause.toString());
  }

  @Test
  void wrongPasswordFailsWithAuthenticationErrorAndIsNotRetried() throws Exception {
    int before = totalConnections();
    RemoteSettings wrong = settings().withPassword("not-the-password");
    Throwable cause =
        failure(
            ResumingDownload.toFile(
                wrong, "x.bin", tmp.resolve("never/x.bin"), FAST_RETRY, system));
    assertInstanceOf(RemoteException.AuthenticationFailed.class, cause, cause.toString());
    assertTrue(cause.getMessage().contains(settings().server()), cause.getMessage());
    assertFalse(cause.getMessage().contains("not-the-password"));
    assertEquals(1, totalConnections() - before);
    assertFalse(Files.exists(tmp.resolve("never/x.bin")));
  }

  @Test
  void missingFileFailsWithNotFoundNamingServerAndPath() throws Exception {
    Throwable cause =
        failure(Ftp.fromPath(settings(), "nope/missing.bin").runWith(Sink.ignore(), system));
    assertInstanceOf(RemoteException.NotFound.class, cause, cause.toString());
    assertTrue(cause.getMessage().contains(settings().server()), cause.getMessage());
    assertTrue(cause.getMessage().contains("nope/missing.bin"), cause.getMessage());
  }

  @Test
  void unsafePathsAreRejectedBeforeAnythingIsSent() throws Exception {
    int before = totalConnections();
    assertThrows(UnsafePathException.class, () -> Ftp.fromPath(settings(), "a.txt\r\nDELE b"));
    assertThrows(UnsafePathException.class, () -> Ftp.toPath(settings(), "a\0b", false));
    assertThrows(UnsafePathException.class, () -> Ftp.remove(settings(), "x\ny", system));
    assertThrows(UnsafePathException.class, () -> RemotePaths.resolve("archive", "../etc/passwd"));
    assertEquals(before, totalConnections());
  }

  @Test
  void hostileRemoteNamesCannotEscapeTheLocalDirectory() throws Exception {
    Files.createDirectories(home().resolve("hostile"));
    Files.writeString(home().resolve("hostile/..\\..\\evil.txt"), "x");
    Path into = tmp.resolve("mirror/inside");
    // Whatever name the listing shows for it must be refused as a local file name (servers and
    // clients differ: some show it as is, some turn the backslashes into separators, some hide it).
    List<RemoteFile> listed = await(Ftp.ls(settings(), "hostile").runWith(Sink.seq(), system));
    for (RemoteFile f : listed) {
      assertThrows(
          UnsafePathException.class,
          () -> ResumingDownload.toDirectory(settings(), f.path(), into, FAST_RETRY, system));
    }
    int before = totalConnections();
    for (String hostile : List.of("hostile/..\\..\\evil.txt", "hostile/..", "dir/a:b")) {
      assertThrows(
          UnsafePathException.class,
          () -> ResumingDownload.toDirectory(settings(), hostile, into, FAST_RETRY, system));
    }
    assertEquals(before, totalConnections());
    assertFalse(Files.exists(tmp.resolve("mirror")));
  }

  private void upload(String path, int size) throws Exception {
    await(
        Source.single(ByteString.fromArray(new byte[size]))
            .runWith(Ftp.toPath(settings(), path, false), system));
  }
}
