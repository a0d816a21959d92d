package dev.guesthook.id;

import java.util.regex.Pattern;

/**
 * A mediated device type as the parent driver names it, e.g. {@code i915-GVTg_V5_4} or {@code
 * nvidia-222}.
 */
public record MdevType(String value) {
  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_.-]+");

  public MdevType {
    Ids.require(
        FORM, value, "mdev type", "a type name like i915-GVTg_V5_4 (letters, digits, _ . -)");
  }

  @Override
  public String toString() {
    return value;
  }
}
