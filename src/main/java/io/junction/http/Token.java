package io.junction.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * One configured bearer token and its scopes. The secret never leaves this class: {@link
 * #toString()} names only where it came from.
 *
 * @param origin where the secret was read, e.g. {@code env JUNCTION_TOKEN} or {@code file F}
 */
public record Token(byte[] secret, Set<Scope> scopes, String origin) {

  public Token {
    secret = secret.clone();
    scopes = Set.copyOf(scopes);
  }

  /** Constant-time comparison, so response timing does not leak how much of a guess matched. */
  public boolean matches(String presented) {
    return MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public String toString() {
    return "Token[" + origin + ", scopes=" + scopes + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Token t
        && MessageDigest.isEqual(secret, t.secret)
        && scopes.equals(t.scopes);
  }

  @Override
  public int hashCode() {
    return scopes.hashCode();
  }
}
