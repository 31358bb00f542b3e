package io.junction.ftp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

/**
 * Apache MINA SSHD with the SFTP subsystem on 127.0.0.1 and an ephemeral port for tests: user
 * {@code alice} with password {@code secret} or the generated client key; EC host key generated
 * once per JVM (RSA generation is slow on a busy machine). It counts sessions and can drop the
 * whole SSH connection in the middle of the next downloads.
 */
final class EmbeddedSftpServer implements AutoCloseable {
  static final String USER = "alice";
  static final String PASSWORD = "secret";
  static final KeyPair HOST_KEY = ecKey();
  static final KeyPair CLIENT_KEY = ecKey();

  private final SshServer sshd;
  private final Path home;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger dropsLeft = new AtomicInteger();
  private final AtomicLong dropAfter = new AtomicLong();

  EmbeddedSftpServer(Path home) throws IOException {
    this.home = home;
    Files.createDirectories(home);
    sshd = SshServer.setUpDefaultServer();
    sshd.setHost("127.0.0.1");
    sshd.setPort(0);
    sshd.setKeyPairProvider(KeyPairProvider.wrap(HOST_KEY));
    sshd.setPasswordAuthenticator((user, pw, session) -> USER.equals(user) && PASSWORD.equals(pw));
    sshd.setPublickeyAuthenticator(
        (user, key, session) ->
            USER.equals(user) && KeyUtils.compareKeys(key, CLIENT_KEY.getPublic()));
    sshd.setFileSystemFactory(new VirtualFileSystemFactory(home));
    sshd.setSubsystemFactories(
        List.of(new SftpSubsystemFactory.Builder().withFileSystemAccessor(new Dropping()).build()));
    sshd.addSessionListener(
        new SessionListener() {
          @Override
          public void sessionCreated(Session session) {
            connections.incrementAndGet();
          }
        });
    sshd.start();
  }

  int port() {
    return sshd.getPort();
  }

  Path home() {
    return home;
  }

  int activeSessions() {
    return sshd.getActiveSessions().size();
  }

  int totalConnections() {
    return connections.get();
  }

  void dropDownloads(long bytes, int times) {
    dropAfter.set(bytes);
    dropsLeft.set(times);
  }

  /** {@code SHA256:...} of the host key, as sshj and OpenSSH print it. */
  static String hostKeyFingerprint() {
    return KeyUtils.getFingerPrint(BuiltinDigests.sha256, HOST_KEY.getPublic());
  }

  /** A known_hosts file listing the host key for {@code [127.0.0.1]:port}. */
  Path writeKnownHosts(Path file) throws IOException {
    Files.writeString(
        file, "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(HOST_KEY.getPublic()) + "\n");
    return file;
  }

  /** The client private key in OpenSSH format, unencrypted. */
  static Path writeClientKey(Path file) throws Exception {
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(
          CLIENT_KEY, "test", (OpenSSHKeyEncryptionContext) null, out);
    }
    return file;
  }

  @Override
  public void close() throws IOException {
    sshd.stop(true);
  }

  private static KeyPair ecKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads through the real file, but can close the SSH session after some bytes. */
  private final class Dropping implements SftpFileSystemAccessor {
    @Override
    public SeekableByteChannel openFile(
        SftpSubsystemProxy subsystem,
        FileHandle handle,
        Path file,
        String handleId,
        Set<? extends OpenOption> options,
        FileAttribute<?>... attrs)
        throws IOException {
      SeekableByteChannel channel =
          SftpFileSystemAccessor.super.openFile(subsystem, handle, file, handleId, options, attrs);
      if (options.contains(StandardOpenOption.WRITE)
          || dropsLeft.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
        return channel;
      }
      long limit = dropAfter.get();
      return new DroppingChannel(channel, limit, subsystem);
    }
  }

  private static final class DroppingChannel implements SeekableByteChannel {
    private final SeekableByteChannel delegate;
    private final long limit;
    private final SftpSubsystemProxy subsystem;
    private long sent;

    DroppingChannel(SeekableByteChannel delegate, long limit, SftpSubsystemProxy subsystem) {
      this.delegate = delegate;
      this.limit = limit;
      this.subsystem = subsystem;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (sent >= limit) {
        subsystem.getServerSession().close(true); // the whole connection goes, as on a network cut
        throw new IOException("simulated connection drop");
      }
      int n = delegate.read(dst);
      if (n > 0) sent += n;
      return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return delegate.write(src);
    }

    @Override
    public long position() throws IOException {
      return delegate.position();
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
      delegate.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return delegate.size();
    }

    @Override
    public SeekableByteChannel truncate(long size) throws IOException {
      delegate.truncate(size);
      return this;
    }

    @Override
    public boolean isOpen() {
      return delegate.isOpen();
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }
}
