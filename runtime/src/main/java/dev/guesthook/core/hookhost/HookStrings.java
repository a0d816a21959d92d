package dev.guesthook.core.hookhost;

import dev.guesthook.host.HostPath;
import dev.guesthook.id.VmId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.codehaus.groovy.runtime.GStringImpl;

/**
 * What a hook file's {@code "...${value}..."} evaluates to ({@link InterpolatedStrings} puts a call
 * here in place of Groovy's GString): a String when every value is of a type whose text cannot
 * change (numbers, booleans, characters, enums, the typed ids, host paths, UUIDs, strings), else
 * Groovy's own GString, unchanged.
 *
 * <p>Why: turning a GString into text runs Groovy's {@code FormatHelper}, whose first use scans the
 * JDK's module image and Groovy's jar for the compiler's default imports: 150-160 ms of cpu and 4.4
 * MB of RSS in a C1 JVM, 1.5 MB of it kept (README, "serve's memory"). A hook's interpolations are
 * nearly all of ids and numbers, so nearly no phase pays that any more. The text is the same as
 * Groovy's: for these types Groovy writes {@code String.valueOf(value)}. A String is also what a
 * hook author expects: a GString key never finds a String key's map entry, nor equals it.
 */
public final class HookStrings {
  private static final Set<Class<?>> PLAIN =
      Set.of(
          String.class,
          Integer.class,
          Long.class,
          Short.class,
          Byte.class,
          Double.class,
          Float.class,
          Boolean.class,
          Character.class,
          BigInteger.class,
          BigDecimal.class,
          UUID.class,
          HostPath.class);

  private static final String ID_PACKAGE = VmId.class.getPackageName();

  private HookStrings() {}

  /**
   * The text of {@code strings[0] values[0] strings[1] ...}, or the GString of them when a value's
   * text could change before it is read (a list, a closure, a builder): Groovy renders those when
   * the text is used, not when it is made.
   */
  public static Object interpolate(String[] strings, Object[] values) {
    if (!allPlain(values)) {
      return new GStringImpl(values, strings);
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < strings.length; i++) {
      text.append(strings[i]);
      if (i < values.length) {
        text.append(values[i]); // "null" for null, as Groovy writes it
      }
    }
    return text.toString();
  }

  private static boolean allPlain(Object[] values) {
    for (Object value : values) {
      if (value != null && !plain(value.getClass())) {
        return false;
      }
    }
    return true;
  }

  private static boolean plain(Class<?> type) {
    return PLAIN.contains(type)
        || type.isEnum()
        || (type.getSuperclass() != null && type.getSuperclass().isEnum()) // a constant with a body
        || (type.isRecord() && type.getPackageName().equals(ID_PACKAGE))
        || (Path.class.isAssignableFrom(type) && type.getModule() == Path.class.getModule());
  }
}
