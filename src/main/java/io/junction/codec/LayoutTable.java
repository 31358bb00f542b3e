package io.junction.codec;

import java.util.Locale;

/** Renders a struct layout as an {@code offset size field type} table, padding shown. */
final class LayoutTable {

  private LayoutTable() {}

  static String render(StructLayout layout) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "struct %s: size %d, alignment %d, %s%s%n",
            layout.name(),
            layout.size(),
            layout.alignment(),
            layout.byteOrder().toString().toLowerCase(Locale.ROOT).replace('_', '-'),
            layout.packed() ? ", packed" : ""));
    sb.append(String.format(Locale.ROOT, "%6s %6s  %-24s %s%n", "offset", "size", "field", "type"));
    int end = rows(sb, layout, 0, "");
    if (end < layout.size()) row(sb, end, layout.size() - end, "(tail padding)", "");
    return sb.toString();
  }

  /** Appends the rows of {@code layout} at {@code base}; returns the end of the last member. */
  private static int rows(StringBuilder sb, StructLayout layout, int base, String prefix) {
    int end = base;
    for (StructLayout.Field f : layout.fields()) {
      int start = base + f.offset();
      if (start > end) row(sb, end, start - end, "(padding)", "");
      String name = prefix + (f.name().isEmpty() ? "(unnamed)" : f.name());
      row(sb, start, f.size(), name, typeText(f));
      if (f.type() instanceof FieldType.Nested n) {
        int nestedEnd = rows(sb, n.layout(), start, name + ".");
        if (nestedEnd < start + f.size()) {
          row(sb, nestedEnd, start + f.size() - nestedEnd, name + ".(tail padding)", "");
        }
      }
      if (f.isBitField()) {
        end = Math.max(end, base + (f.bitOffset() + f.bitWidth() + 7) / 8);
      } else {
        end = Math.max(end, start + f.size());
      }
    }
    return end;
  }

  private static String typeText(StructLayout.Field f) {
    if (f.isBitField()) {
      return f.typeName() + " : " + f.bitWidth() + " (bit " + f.bitInUnit() + " of the unit)";
    }
    if (f.type() instanceof FieldType.Chars c) {
      return f.typeName()
          + " "
          + c.encoding().configName
          + (c.spacePadded() ? ", space-padded" : ", nul-padded");
    }
    return f.typeName();
  }

  private static void row(StringBuilder sb, int offset, int size, String name, String type) {
    sb.append(
        String.format(Locale.ROOT, "%6d %6d  %-24s %s%n", offset, size, name, type)
            .stripTrailing());
    sb.append(System.lineSeparator());
  }
}
