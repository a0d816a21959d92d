package dev.guesthook.core.hookhost;

import dev.guesthook.host.HostPath;
import dev.guesthook.id.VmId;
import groovy.lang.GString;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.codehaus.groovy.runtime.GStringImpl;

/**
 * What a hook file's {@code "...${value}..."} makes ({@link InterpolatedStrings} compiles it to
 * {@link #of}): Groovy's GString in every respect, rendered here when every value is of a type
 * whose text cannot change (numbers, booleans, characters, enums, the typed ids, host paths, UUIDs,
 * strings), the same text Groovy writes for those ({@code String.valueOf}); any other value gets
 * Groovy's own GString.
 *
 * <p>Why: Groovy's GString checks its values' types with the compiler's class helpers when it is
 * made, and renders through {@code FormatHelper}, whose first use scans the JDK's module image and
 * Groovy's jar for the compiler's default imports: 150-160 ms of cpu and 4.4 MB of RSS in a C1 JVM,
 * 1.5 MB of it kept (README, "serve's memory"). A hook's interpolations are nearly all of ids and
 * numbers, so a phase pays none of that.
 */
public final class PlainGString extends GStringImpl {
  private static final long serialVersionUID = 1L;

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

  private PlainGString(Object[] values, String[] strings) {
    // Groovy's protected constructor: no type check of the values, which plain() has made; not
    // frozen, so values and strings stay writable through getValues() and getStrings(), as
    // Groovy's are.
    super(values, strings, false, null, false);
  }

  /**
   * {@code strings[0] values[0] strings[1] ...} as a GString: this one when its values are plain.
   */
  public static GString of(String[] strings, Object[] values) {
    return allPlain(values) ? new PlainGString(values, strings) : new GStringImpl(values, strings);
  }

  /**
   * The text of {@code "..."} where Groovy would cast it to a String at once (a {@code String}
   * variable, field or method result): Groovy's cast goes through {@code FormatHelper} too.
   */
  public static String text(String[] strings, Object[] values) {
    return allPlain(values)
        ? rendered(strings, values)
        : new GStringImpl(values, strings).toString();
  }

  /**
   * Rendered at each use, as Groovy renders a GString whose values it does not know to be immutable
   * (an enum's text may change; the others' cannot, so keeping theirs would show nothing); by
   * Groovy when a value written into {@link #getValues()} since is not plain.
   */
  @Override
  public String toString() {
    return allPlain(getValues()) ? rendered(getStrings(), getValues()) : super.toString();
  }

  @Override
  public Writer writeTo(Writer out) throws IOException {
    if (!allPlain(getValues())) {
      return super.writeTo(out);
    }
    out.write(rendered(getStrings(), getValues()));
    return out;
  }

  private static String rendered(String[] strings, Object[] values) {
    StringBuilder rendered = new StringBuilder();
    for (int i = 0; i < strings.length; i++) {
      rendered.append(strings[i]);
      if (i < values.length) {
        rendered.append(values[i]); // "null" for null, as Groovy writes it
      }
    }
    return rendered.toString();
  }

  /** As Groovy joins two GStrings (its {@code GStringUtil.plusImpl}), kept plain when it can be. */
  @Override
  public GString plus(GString that) {
    Object[] values = getValues();
    Object[] thoseValues = that.getValues();
    Object[] joinedValues = new Object[values.length + thoseValues.length];
    System.arraycopy(values, 0, joinedValues, 0, values.length);
    System.arraycopy(thoseValues, 0, joinedValues, values.length, thoseValues.length);
    return of(joinedStrings(getStrings(), that.getStrings(), values.length), joinedValues);
  }

  /** The last text of the first and the first of the second are one when the first ends in text. */
  private static String[] joinedStrings(String[] first, String[] second, int firstValues) {
    boolean merge = first.length > firstValues;
    int fromSecond = merge ? second.length - 1 : second.length;
    String[] joined = new String[first.length + fromSecond];
    System.arraycopy(first, 0, joined, 0, first.length);
    if (merge) {
      System.arraycopy(second, 1, joined, first.length, fromSecond);
      joined[first.length - 1] = first[first.length - 1] + second[0];
    } else {
      System.arraycopy(second, 0, joined, first.length, fromSecond);
    }
    return joined;
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
