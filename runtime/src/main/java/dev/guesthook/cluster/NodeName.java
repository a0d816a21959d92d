package dev.guesthook.cluster;

import dev.guesthook.id.Printable;
import java.util.regex.Pattern;

/**
 * A cluster node's name, checked before it becomes a path ({@code /etc/pve/nodes/<name>}):
 * pve-common's {@code pve-node} format, a host name's label (letters, digits and inner hyphens, up
 * to 63).
 */
public record NodeName(String value) implements Comparable<NodeName> {
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  public NodeName {
    if (value == null || !LABEL.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "not a node name: '"
              + Printable.of(value)
              + "' (letters, digits and inner hyphens, up to 63)");
    }
  }

  public static boolean isValid(String value) {
    return value != null && LABEL.matcher(value).matches();
  }

  @Override
  public int compareTo(NodeName other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
