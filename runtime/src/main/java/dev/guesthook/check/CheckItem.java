package dev.guesthook.check;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One line of the readiness checklist; {@code facts}, for {@code --json}, what the line says as
 * data (a function's reset methods), in reading order, empty for most lines.
 */
public record CheckItem(Status status, String subject, String detail, Map<String, Object> facts) {
  public CheckItem {
    facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
  }

  public CheckItem(Status status, String subject, String detail) {
    this(status, subject, detail, Map.of());
  }

  /** The same line with its facts, under their names in the order given. */
  public CheckItem withFacts(Map<String, Object> given) {
    return new CheckItem(status, subject, detail, given);
  }

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
