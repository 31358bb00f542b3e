package io.junction.ftp;

import java.util.Objects;

/** A password or passphrase that never shows itself in {@code toString}, logs or messages. */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "secret");
  }

  public static Secret of(String value) {
    return new Secret(value);
  }

  /** The clear text, to hand to the protocol client and nowhere else. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "******";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
