package dev.guesthook.id;

import java.util.regex.Pattern;

/** A Proxmox guest id: an integer from 100 to 999999999, validated once at the edge. */
public record VmId(int value) implements Comparable<VmId> {
  public static final int MIN = 100;
  public static final int MAX = 999_999_999;
  // Compiled once: every request to serve and every file name in a guest folder is checked.
  private static final Pattern DECIMAL = Pattern.compile("[1-9][0-9]{2,8}");

  public VmId {
    if (value < MIN || value > MAX) {
      throw new IllegalArgumentException(describe(Integer.toString(value)));
    }
  }

  /** Parses the decimal form Proxmox uses; no signs, spaces or leading zeros. */
  public static VmId parse(String text) {
    if (!isValid(text)) {
      throw new IllegalArgumentException(describe(Printable.of(text)));
    }
    return new VmId(Integer.parseInt(text));
  }

  /** Whether {@link #parse} takes it: for names that may or may not be a guest's, as a file's. */
  public static boolean isValid(String text) {
    return text != null && DECIMAL.matcher(text).matches();
  }

  private static String describe(String text) {
    return "invalid vmid '" + text + "': expected an integer from " + MIN + " to " + MAX;
  }

  @Override
  public int compareTo(VmId other) {
    return Integer.compare(value, other.value);
  }

  @Override
  public String toString() {
    return Integer.toString(value);
  }
}
