package dev.guesthook.host;

import dev.guesthook.id.Printable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An absolute path on the host, built only from validated segments: no {@code ..}, no {@code /}
 * inside a segment, no control characters. It can therefore never leave the host root it is
 * resolved under, whatever value a hook or a config file supplied.
 */
public final class HostPath implements Comparable<HostPath> {
  public static final HostPath ROOT = new HostPath(List.of());

  private final List<String> segments;

  /**
   * The path as text, made once: every host call is traced, and a replay answered, by its path's
   * text (joining the segments at each call was 9% of a replay's samples).
   */
  private final String text;

  private HostPath(List<String> segments) {
    this.segments = Collections.unmodifiableList(segments);
    this.text = "/" + String.join("/", segments);
  }

  /** A path from its segments, e.g. {@code of("sys", "bus", "pci", "devices", "0000:01:00.0")}. */
  public static HostPath of(String... segments) {
    return ROOT.resolve(segments);
  }

  /** Parses an absolute path like {@code /sys/bus/pci/drivers_probe}. */
  public static HostPath parse(String absolute) {
    if (absolute == null || !absolute.startsWith("/")) {
      throw new IllegalArgumentException(
          "invalid host path '" + Printable.of(absolute) + "': must be absolute");
    }
    List<String> parts = new ArrayList<>();
    for (String part : absolute.substring(1).split("/", -1)) {
      if (!part.isEmpty()) {
        parts.add(part);
      }
    }
    return of(parts.toArray(String[]::new));
  }

  public HostPath resolve(String... more) {
    List<String> joined = new ArrayList<>(segments);
    for (String segment : more) {
      joined.add(checkSegment(segment));
    }
    return new HostPath(joined);
  }

  public HostPath parent() {
    if (segments.isEmpty()) {
      return this;
    }
    return new HostPath(new ArrayList<>(segments.subList(0, segments.size() - 1)));
  }

  public String name() {
    return segments.isEmpty() ? "" : segments.get(segments.size() - 1);
  }

  public List<String> segments() {
    return segments;
  }

  public boolean startsWith(HostPath prefix) {
    return segments.size() >= prefix.segments.size()
        && segments.subList(0, prefix.segments.size()).equals(prefix.segments);
  }

  /** The file this path names on a host whose root directory is {@code root}. */
  public Path under(Path root) {
    Path result = root;
    for (String segment : segments) {
      result = result.resolve(segment);
    }
    return result;
  }

  static String checkSegment(String segment) {
    if (segment == null
        || segment.isEmpty()
        || segment.equals(".")
        || segment.equals("..")
        || segment.indexOf('/') >= 0) {
      throw new IllegalArgumentException("invalid path segment '" + Printable.of(segment) + "'");
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException(
            "invalid path segment '" + Printable.of(segment) + "': control character");
      }
    }
    return segment;
  }

  @Override
  public int compareTo(HostPath other) {
    return toString().compareTo(other.toString());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof HostPath path && path.segments.equals(segments);
  }

  @Override
  public int hashCode() {
    return segments.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
