package io.junction.codec;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Optional;

/** The scalar C types a layout may use, with their x86-64 SysV size (which is also alignment). */
enum ScalarType {
  INT8(1, true, true),
  INT16(2, true, true),
  INT32(4, true, true),
  INT64(8, true, true),
  UINT8(1, true, false),
  UINT16(2, true, false),
  UINT32(4, true, false),
  UINT64(8, true, false),
  FLOAT32(4, false, true),
  FLOAT64(8, false, true),
  BOOL(1, false, false);

  static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  final int size;
  final boolean integer;
  final boolean signed;

  ScalarType(int size, boolean integer, boolean signed) {
    this.size = size;
    this.integer = integer;
    this.signed = signed;
  }

  String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Smallest value of an integer type (as BigInteger so uint64 fits). */
  BigInteger min() {
    return signed ? BigInteger.ONE.shiftLeft(size * 8 - 1).negate() : BigInteger.ZERO;
  }

  /** Largest value of an integer type. */
  BigInteger max() {
    return signed
        ? BigInteger.ONE.shiftLeft(size * 8 - 1).subtract(BigInteger.ONE)
        : BigInteger.ONE.shiftLeft(size * 8).subtract(BigInteger.ONE);
  }

  /** True for types gcc accepts as a bit-field's declared type. */
  boolean bitFieldCapable() {
    return integer || this == BOOL;
  }

  /** Widest bit-field of this type gcc accepts ({@code _Bool} is one bit). */
  int maxBits() {
    return this == BOOL ? 1 : size * 8;
  }

  static Optional<ScalarType> byConfigName(String name) {
    for (ScalarType t : values()) {
      if (t.configName().equals(name)) return Optional.of(t);
    }
    return Optional.empty();
  }
}
