package io.junction.codec;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Places declared members the way gcc does on x86-64 (SysV ABI): each member at the next multiple
 * of its alignment, bit-fields packed LSB-first into units of their declared type without
 * straddling a naturally aligned unit, tail padding to the struct's alignment.
 */
final class LayoutBuilder {

  /** Largest struct accepted; bounds the memory any one frame can make us allocate. */
  static final long MAX_SIZE = 16L << 20;

  /** One declared member before its offset is known; {@code bits < 0} means not a bit-field. */
  record Member(String name, FieldType type, int bits) {}

  private LayoutBuilder() {}

  /**
   * Computes offsets, size and alignment.
   *
   * @throws IllegalArgumentException when the struct would exceed {@link #MAX_SIZE}
   */
  static StructLayout build(
      String name, ByteOrder order, boolean orderDeclared, boolean packed, List<Member> members) {
    long pos = 0; // in bits: bit-fields need sub-byte positions
    int align = 1;
    List<StructLayout.Field> fields = new ArrayList<>();
    for (Member m : members) {
      FieldType t = m.type();
      int a = packed ? 1 : t.alignment();
      if (m.bits() < 0) {
        pos = roundUp(pos, 8L * a);
        fields.add(new StructLayout.Field(m.name(), t, (int) (pos / 8), t.size(), -1, -1));
        pos += 8L * t.size();
        align = Math.max(align, a);
      } else {
        long unitBits = 8L * t.size();
        int w = m.bits();
        if (w == 0) {
          // gcc: a zero-width bit-field starts the next unit, even in a packed struct.
          pos = roundUp(pos, unitBits);
          continue;
        }
        if (!packed && pos / unitBits != (pos + w - 1) / unitBits) pos = roundUp(pos, unitBits);
        long unitStart = packed ? pos / 8 : (pos / unitBits) * t.size();
        int spanned = (int) ((pos + w + 7) / 8 - unitStart);
        int size = packed ? spanned : t.size();
        fields.add(new StructLayout.Field(m.name(), t, (int) unitStart, size, (int) pos, w));
        pos += w;
        // gcc on x86-64: unnamed bit-fields do not affect the struct's alignment.
        if (!m.name().isEmpty()) align = Math.max(align, a);
      }
      if (pos > MAX_SIZE * 8) {
        throw new IllegalArgumentException("struct is larger than " + MAX_SIZE + " bytes");
      }
    }
    long size = roundUp((pos + 7) / 8, align);
    return new StructLayout(name, (int) size, align, order, orderDeclared, packed, fields);
  }

  static long roundUp(long value, long multiple) {
    return (value + multiple - 1) / multiple * multiple;
  }
}
