package io.junction.ftp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;

/**
 * Builds the FTPS client with real certificate checks: the configured truststore, else the JVM's
 * default CAs, with host name verification; trust-all only when explicitly configured.
 */
final class FtpsTrust {
  private FtpsTrust() {}

  static FTPSClient client(RemoteSettings s) throws RemoteException {
    boolean implicit = s.protocol() == Protocol.FTPS_IMPLICIT;
    FTPSClient client;
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustManager(s)}, null);
      client = new FTPSClient(implicit, context);
    } catch (GeneralSecurityException | IOException e) {
      throw new RemoteException.HostNotTrusted(
          "cannot load truststore " + s.truststoreFile() + ": " + e.getMessage(), s.server(), e);
    }
    // Commons Net's default trust manager only checks validity dates; we always set ours.
    client.setEndpointCheckingEnabled(!s.trustAll());
    return client;
  }

  private static TrustManager trustManager(RemoteSettings s)
      throws IOException, GeneralSecurityException {
    if (s.trustAll()) return TrustManagerUtils.getAcceptAllTrustManager();
    KeyStore store = null;
    if (s.truststoreFile() != null) {
      char[] password =
          s.truststorePassword() == null ? null : s.truststorePassword().reveal().toCharArray();
      try (InputStream in = Files.newInputStream(s.truststoreFile())) {
        store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(in, password);
      }
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store); // null: the JVM's default CA certificates
    for (TrustManager tm : factory.getTrustManagers()) {
      if (tm instanceof javax.net.ssl.X509TrustManager) return tm;
    }
    throw new GeneralSecurityException("no X509 trust manager available");
  }
}
