package io.junction.http;

import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Bearer-token checks for the API: who may call what. When auth is not required (loopback, {@code
 * require-auth = off}) every call is allowed.
 */
final class Auth {
  private static final String PREFIX = "Bearer ";
  private final boolean required;
  private final List<Token> tokens;

  Auth(boolean required, List<Token> tokens) {
    this.required = required;
    this.tokens = List.copyOf(tokens);
  }

  /** Empty when the call may go ahead, else the 401 or 403 problem response. */
  Optional<HttpResponse> check(Optional<String> authorization, Scope scope) {
    if (!required) return Optional.empty();
    if (authorization.isEmpty())
      return Optional.of(
          challenge(
              "missing-token",
              "Authentication required",
              "this call needs an 'Authorization: Bearer <token>' header with scope " + name(scope),
              "Bearer realm=\"junction\""));
    String value = authorization.get();
    if (!value.regionMatches(true, 0, PREFIX, 0, PREFIX.length()))
      return Optional.of(
          challenge(
              "invalid-token",
              "Invalid token",
              "the Authorization header must use the Bearer scheme",
              "Bearer realm=\"junction\", error=\"invalid_request\""));
    String presented = value.substring(PREFIX.length()).strip();
    Optional<Token> token = tokens.stream().filter(t -> t.matches(presented)).findFirst();
    if (token.isEmpty())
      return Optional.of(
          challenge(
              "invalid-token",
              "Invalid token",
              "the bearer token is not one this node accepts",
              "Bearer realm=\"junction\", error=\"invalid_token\""));
    if (!token.get().scopes().contains(scope))
      return Optional.of(
          Problem.of(
              StatusCodes.FORBIDDEN,
              "insufficient-scope",
              "Insufficient scope",
              "this call needs scope "
                  + name(scope)
                  + "; the token has "
                  + token.get().scopes().stream().map(Auth::name).sorted().toList()));
    return Optional.empty();
  }

  private static HttpResponse challenge(String type, String title, String detail, String www) {
    return Problem.of(StatusCodes.UNAUTHORIZED, type, title, detail)
        .addHeader(RawHeader.create("WWW-Authenticate", www));
  }

  private static String name(Scope s) {
    return s.name().toLowerCase(java.util.Locale.ROOT);
  }
}
