package io.junction.http;

/**
 * What a bearer token may do: {@code read} GETs, {@code publish} messages, {@code admin} changes.
 */
public enum Scope {
  READ,
  PUBLISH,
  ADMIN
}
