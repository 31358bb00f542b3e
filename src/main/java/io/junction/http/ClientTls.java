package io.junction.http;

import io.junction.tls.TlsSettings;
import java.util.Optional;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;

/** The https context of an outbound HTTP client: its own {@code tls { }}, or the JDK's CAs. */
final class ClientTls {
  private ClientTls() {}

  static HttpsConnectionContext context(Optional<TlsSettings> tls, Http http) {
    // TlsSettings.clientEngine verifies the server's name against its certificate.
    return tls.map(t -> ConnectionContext.httpsClient(t::clientEngine))
        .orElseGet(http::defaultClientHttpsContext);
  }
}
