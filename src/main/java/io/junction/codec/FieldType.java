package io.junction.codec;

/** The resolved type of one field: what {@link StructReader} and {@link StructWriter} switch on. */
sealed interface FieldType {

  int size();

  int alignment();

  String typeName();

  /** A scalar: integer, float or bool. */
  record Scalar(ScalarType type) implements FieldType {
    @Override
    public int size() {
      return type.size;
    }

    @Override
    public int alignment() {
      return type.size;
    }

    @Override
    public String typeName() {
      return type.configName();
    }
  }

  /** {@code char[N]}: text in an encoding, NUL- or space-padded. */
  record Chars(int length, TextEncoding encoding, boolean spacePadded) implements FieldType {
    @Override
    public int size() {
      return length;
    }

    @Override
    public int alignment() {
      return 1;
    }

    @Override
    public String typeName() {
      return "char[" + length + "]";
    }
  }

  /** {@code byte[N]}: opaque bytes. */
  record Bytes(int length) implements FieldType {
    @Override
    public int size() {
      return length;
    }

    @Override
    public int alignment() {
      return 1;
    }

    @Override
    public String typeName() {
      return "byte[" + length + "]";
    }
  }

  /** {@code T[N]} of a scalar or a struct. */
  record Array(FieldType element, int count) implements FieldType {
    @Override
    public int size() {
      return element.size() * count;
    }

    @Override
    public int alignment() {
      return element.alignment();
    }

    @Override
    public String typeName() {
      return element.typeName() + "[" + count + "]";
    }
  }

  /** A nested struct, by value. */
  record Nested(StructLayout layout) implements FieldType {
    @Override
    public int size() {
      return layout.size();
    }

    @Override
    public int alignment() {
      return layout.alignment();
    }

    @Override
    public String typeName() {
      return layout.name();
    }
  }
}
