package dev.guesthook.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.guesthook.id.Printable;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A file another node wrote, checked before it is bound to a record: any node can write any node's
 * folder in {@code /etc/pve}, so its contents are hostile. One check for the whole file (every
 * field a record needs is there and not {@code null}, every list's element too) instead of one per
 * field; and every text made printable once, so no print site can put a peer's control characters
 * on a terminal.
 */
final class PeerJson {
  private PeerJson() {}

  /** Where a peer's file lacks what its record needs. */
  static final class Malformed extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Malformed(String where) {
      super(where);
    }
  }

  /**
   * Fails naming the first place where {@code tree} lacks what {@code type} needs: a field missing
   * or {@code null} (unless {@link MayBeAbsent}), a {@code null} in a list. Unknown fields are left
   * to the reader (a newer guesthook may add some).
   */
  static void requireShape(JsonNode tree, Class<? extends Record> type) {
    shape(tree, type, "the file");
  }

  private static void shape(JsonNode node, Type type, String where) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      throw new Malformed(where + " is missing or null");
    }
    if (type instanceof Class<?> record && record.isRecord()) {
      if (!node.isObject()) {
        throw new Malformed(where + " is not an object");
      }
      for (RecordComponent field : record.getRecordComponents()) {
        JsonNode value = node.get(field.getName());
        boolean absent = value == null || value.isNull();
        if (!(absent && field.isAnnotationPresent(MayBeAbsent.class))) {
          shape(value, field.getGenericType(), name(where, field.getName()));
        }
      }
    } else if (type instanceof ParameterizedType list && list.getRawType() == List.class) {
      if (!node.isArray()) {
        throw new Malformed(where + " is not a list");
      }
      for (int i = 0; i < node.size(); i++) {
        shape(node.get(i), list.getActualTypeArguments()[0], where + "[" + i + "]");
      }
    }
  }

  private static String name(String where, String field) {
    return where.equals("the file") ? field : where + "." + field;
  }

  /** Every text in {@code tree}, at any depth, with its control characters as escapes. */
  static void makePrintable(JsonNode tree) {
    if (tree instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        field.setValue(printable(field.getValue()));
      }
    } else if (tree instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, printable(array.get(i)));
      }
    }
  }

  private static JsonNode printable(JsonNode value) {
    if (value.isTextual()) {
      String shown = Printable.escaped(value.textValue());
      // The same node when nothing was escaped: a file's worth of texts is not held twice.
      return shown.equals(value.textValue()) ? value : TextNode.valueOf(shown);
    }
    makePrintable(value);
    return value;
  }
}
