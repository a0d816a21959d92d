package dev.guesthook.check;

import java.util.Locale;

/** One line of the readiness checklist. */
public record CheckItem(Status status, String subject, String detail) {
  public enum Status {
    PASS,
    WARN,
    FAIL;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static CheckItem pass(String subject, String detail) {
    return new CheckItem(Status.PASS, subject, detail);
  }

  public static CheckItem warn(String subject, String detail) {
    return new CheckItem(Status.WARN, subject, detail);
  }

  public static CheckItem fail(String subject, String detail) {
    return new CheckItem(Status.FAIL, subject, detail);
  }
}
