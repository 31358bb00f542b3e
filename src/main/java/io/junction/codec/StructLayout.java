package io.junction.codec;

import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * The layout of one C struct as gcc lays it out on x86-64, with its decoder and encoder.
 *
 * <p>Worked example, {@code struct Person { char name[128]; int age; }} declared as
 *
 * <pre>
 * Person { fields = [ { name = name, type = "char[128]", encoding = utf-8 }
 *                     { name = age,  type = int32 } ] }
 * </pre>
 *
 * has size 132, alignment 4; {@code name} at offset 0, {@code age} at offset 128. Alice, 42:
 *
 * <pre>
 * offset   0: 41 6c 69 63 65 00 00 ... 00   "Alice", NUL-padded to 128 bytes
 * offset 128: 2a 00 00 00                   42, int32 little-endian
 * </pre>
 *
 * decodes to {@code {name=Alice, age=42}} (the bytes after the first NUL are ignored, so garbage a
 * C program left there does not matter; a name of 128 bytes with no NUL decodes whole), and {@code
 * {"name":"Alice","age":42}} encodes back to exactly those 132 bytes.
 */
public final class StructLayout implements MessageLayout {

  /** One member: its name, type, byte offset and size; bit-fields also have a bit position. */
  public static final class Field {
    private final String name;
    private final FieldType type;
    private final int offset;
    private final int size;
    private final int bitOffset;
    private final int bitWidth;

    Field(String name, FieldType type, int offset, int size, int bitOffset, int bitWidth) {
      this.name = name;
      this.type = type;
      this.offset = offset;
      this.size = size;
      this.bitOffset = bitOffset;
      this.bitWidth = bitWidth;
    }

    /** The field name; empty for an unnamed (reserved) bit-field. */
    public String name() {
      return name;
    }

    /** The type as declared, e.g. {@code int32}, {@code char[128]}, {@code float64[4]}, Point. */
    public String typeName() {
      return type.typeName();
    }

    /** Byte offset (for a bit-field: of its storage unit), as C's {@code offsetof}. */
    public int offset() {
      return offset;
    }

    /** Size in bytes (for a bit-field: of its storage unit). */
    public int size() {
      return size;
    }

    public boolean isBitField() {
      return bitWidth >= 0;
    }

    /** Width in bits of a bit-field, -1 otherwise. */
    public int bitWidth() {
      return bitWidth;
    }

    /** Position of a bit-field's first bit counted from the start of the struct, -1 otherwise. */
    public int bitOffset() {
      return bitOffset;
    }

    /** Position of a bit-field's first bit inside its storage unit at {@link #offset()}. */
    public int bitInUnit() {
      return bitWidth < 0 ? -1 : bitOffset - 8 * offset;
    }

    /** The nested struct of a struct-typed field. */
    public Optional<StructLayout> nested() {
      return type instanceof FieldType.Nested n ? Optional.of(n.layout()) : Optional.empty();
    }

    FieldType type() {
      return type;
    }
  }

  private final String name;
  private final int size;
  private final int alignment;
  private final ByteOrder byteOrder;
  private final boolean byteOrderDeclared;
  private final boolean packed;
  private final List<Field> fields;
  private final Map<String, Field> byName;

  StructLayout(
      String name,
      int size,
      int alignment,
      ByteOrder byteOrder,
      boolean byteOrderDeclared,
      boolean packed,
      List<Field> fields) {
    this.name = name;
    this.size = size;
    this.alignment = alignment;
    this.byteOrder = byteOrder;
    this.byteOrderDeclared = byteOrderDeclared;
    this.packed = packed;
    this.fields = List.copyOf(fields);
    Map<String, Field> m = new LinkedHashMap<>();
    for (Field f : fields) if (!f.name().isEmpty()) m.put(f.name(), f);
    this.byName = Collections.unmodifiableMap(m);
  }

  @Override
  public String name() {
    return name;
  }

  /** {@code sizeof} the struct, tail padding included. */
  public int size() {
    return size;
  }

  /** {@code _Alignof} the struct: its largest member's alignment, 1 when packed. */
  public int alignment() {
    return alignment;
  }

  /**
   * Byte order of this struct's scalars. A nested struct that does not declare {@code byte-order}
   * follows the struct that contains it.
   */
  public ByteOrder byteOrder() {
    return byteOrder;
  }

  boolean byteOrderDeclared() {
    return byteOrderDeclared;
  }

  public boolean packed() {
    return packed;
  }

  /** Members in declaration order, unnamed bit-fields included. */
  public List<Field> fields() {
    return fields;
  }

  public Optional<Field> field(String fieldName) {
    return Optional.ofNullable(byName.get(fieldName));
  }

  Map<String, Field> fieldsByName() {
    return byName;
  }

  /**
   * Decodes exactly {@link #size()} bytes into field values in declaration order.
   *
   * @throws StructCodecException on a wrong length or bytes invalid for a field's type
   */
  public Map<String, Object> decode(ByteString bytes) {
    return StructReader.read(this, bytes);
  }

  /**
   * Encodes field values into exactly {@link #size()} bytes, padding zeroed; missing fields are
   * zero, unknown field names are an error.
   *
   * @throws StructCodecException when a value is missing its type, does not fit, or is unknown
   */
  public ByteString encode(Map<String, ?> values) {
    return StructWriter.write(this, values);
  }

  /** A table of offsets, sizes and types, as {@code junction check} prints it. */
  @Override
  public String describe() {
    return LayoutTable.render(this);
  }

  @Override
  public Set<String> messageTypes() {
    return Set.of(name);
  }

  @Override
  public int headerSize() {
    return size;
  }

  @Override
  public int frameLength(ByteString header) {
    return size;
  }

  @Override
  public int maxFrameLength() {
    return size;
  }

  @Override
  public Decoded decodeMessage(ByteString frame) {
    return new Decoded(name, Map.of(), decode(frame));
  }

  @Override
  public ByteString encodeMessage(String type, Map<String, ?> values) {
    if (!name.equals(type)) {
      throw new StructCodecException(name, "", 0, "cannot encode a " + type + " as " + name);
    }
    return encode(values);
  }

  @Override
  public String toString() {
    return "StructLayout(" + name + ", size " + size + ")";
  }
}
