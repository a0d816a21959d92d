package dev.guesthook.host.sim;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.id.Printable;

/** The errors a store can return, worded like the kernel's strerror text with the path in front. */
final class KernelErrors {
  private KernelErrors() {}

  static HostException invalid(HostPath path, String why) {
    return new HostException("EINVAL", path + ": Invalid argument (" + why + ")");
  }

  static HostException noDevice(HostPath path, String why) {
    return new HostException("ENODEV", path + ": No such device (" + why + ")");
  }

  static HostException busy(HostPath path, String why) {
    return new HostException("EBUSY", path + ": Device or resource busy (" + why + ")");
  }

  static HostException of(String errno, HostPath path, String text, String why) {
    return new HostException(errno, path + ": " + text + " (" + why + ")");
  }

  /**
   * A number as the kernel's kstrto* functions with base 0 read it: one optional leading '+',
   * decimal, 0x hex or 0 octal, one trailing newline, nothing else (no spaces); within {@code
   * min..max}. Anything else is EINVAL naming {@code what}.
   */
  static long number(HostPath path, String value, String what, long min, long max) {
    String text = oneLine(value);
    String digits = text.startsWith("+") ? text.substring(1) : text;
    boolean wellFormed =
        !digits.isEmpty() && digits.chars().allMatch(c -> Character.isLetterOrDigit(c));
    try {
      long number = wellFormed ? Long.decode(digits) : -1;
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // Same answer as below.
    }
    throw invalid(path, "'" + Printable.of(text) + "' is not " + what);
  }

  /**
   * A yes/no as the kernel's kstrtobool reads it (lib/kstrtox.c): only the first character counts,
   * or the first two for on/off; anything else is EINVAL naming {@code what}.
   */
  static boolean bool(HostPath path, String value, String what) {
    String text = oneLine(value);
    char first = text.isEmpty() ? 0 : text.charAt(0);
    char second = text.length() < 2 ? 0 : Character.toLowerCase(text.charAt(1));
    switch (Character.toLowerCase(first)) {
      case 'e', 'y', 't', '1':
        return true;
      case 'd', 'n', 'f', '0':
        return false;
      case 'o':
        if (second == 'n' || second == 'f') {
          return second == 'n';
        }
        break;
      default:
        break;
    }
    throw invalid(path, "'" + Printable.of(text) + "' is not " + what);
  }

  /** sysfs hands the store the bytes written, usually with echo's newline; kernels strip one. */
  static String oneLine(String value) {
    return value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
  }
}
