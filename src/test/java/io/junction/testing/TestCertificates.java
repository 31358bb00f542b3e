package io.junction.testing;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway PKCS12 key pair for localhost/127.0.0.1 and a truststore that trusts it, made with
 * the JDK's keytool (once per test class: key generation is slow on a busy machine).
 */
public record TestCertificates(Path keystore, Path truststore, String password, Path passwordFile) {

  public static TestCertificates create(Path dir, String alias) throws Exception {
    return create(dir, alias, "ip:127.0.0.1,dns:localhost");
  }

  /**
   * Like {@link #create(Path, String)}, with the certificate's subject alternative names given
   * (keytool syntax, e.g. {@code dns:other.example}): trusted, but for other hosts if they differ.
   */
  public static TestCertificates create(Path dir, String alias, String san) throws Exception {
    String password = "changeit-" + alias;
    Path keystore = dir.resolve(alias + ".p12");
    Path truststore = dir.resolve(alias + "-trust.p12");
    Path cert = dir.resolve(alias + ".pem");
    Path passwordFile = dir.resolve(alias + ".password");
    Files.writeString(passwordFile, password);
    keytool(
        "-genkeypair",
        "-alias",
        alias,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=" + san,
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        password,
        "-keypass",
        password);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        alias,
        "-keystore",
        keystore.toString(),
        "-storepass",
        password,
        "-file",
        cert.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        alias,
        "-file",
        cert.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        truststore.toString(),
        "-storepass",
        password);
    return new TestCertificates(keystore, truststore, password, passwordFile);
  }

  /** A context that presents this key pair (as a server, or a client for mutual TLS). */
  public SSLContext keyContext() throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(load(keystore), password.toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  /** A context that trusts this key pair's certificate, and presents {@code client} if given. */
  public SSLContext trustContext(TestCertificates client) throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(load(truststore));
    SSLContext ctx = SSLContext.getInstance("TLS");
    KeyManagerFactory kmf = null;
    if (client != null) {
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(client.load(client.keystore), client.password.toCharArray());
    }
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  private KeyStore load(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password.toCharArray());
      return ks;
    }
  }

  private static void keytool(String... args) throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> command = new ArrayList<>(List.of(keytool.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("keytool failed: " + output);
    }
  }
}
