package dev.guesthook.id;

import java.util.regex.Pattern;

/** A network interface name as the kernel allows it (at most 15 bytes, no slash or space). */
public record NetInterface(String value) {
  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}");

  public NetInterface {
    Ids.require(FORM, value, "interface name", "a name like enp3s0f0 (at most 15 characters)");
  }

  @Override
  public String toString() {
    return value;
  }
}
