package dev.guesthook.pve.schema;

import dev.guesthook.id.Printable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The line loop of pve-common's {@code PVE::SectionConfig::parse_config}, shared by storage.cfg and
 * the mapping files: what becomes a section, a property or an ignored line, before any schema is
 * asked. Comment lines ({@code ^\s*#}) are passed over everywhere; a header line opens a section
 * only outside one; a section runs to the next line that is false to Perl (empty, or {@code 0}), so
 * a line of blanks, or a CRLF file's lone {@code \r}, does not end it. Perl reads these files as
 * bytes, so its {@code \s} is ASCII ({@link ProxmoxText#isPerlSpace}): a non-breaking space is no
 * blank here.
 */
public final class SectionConfigText {
  private static final Pattern COMMENT = Pattern.compile("\\s*#");

  /** What a file is made of, in file order. */
  public sealed interface Part permits Section, Ignored {}

  /**
   * An indented {@code key [value]} line as written ({@code text}); the value is empty when none is
   * given.
   */
  public record Property(int line, String text, String key, String value) {}

  /** A line parse_config warns about ("ignore config line") and passes over. */
  public record Ignored(int line, String text) implements Part {}

  /** A header line and what follows it up to the section's end. */
  public record Section(int line, String header, List<Property> properties, List<Ignored> ignored)
      implements Part {}

  /** Says whether a line is a header (parse_section_header returns a config for it). */
  public interface HeaderTest {
    boolean isHeader(String line);
  }

  private SectionConfigText() {}

  public static List<Part> read(String text, HeaderTest headers) {
    String[] lines = text.split("\n", -1);
    List<Part> parts = new ArrayList<>();
    int i = 0;
    while (i < lines.length) {
      String line = lines[i++];
      if (isComment(line) || endsSection(line)) {
        continue;
      }
      if (!headers.isHeader(line)) {
        parts.add(new Ignored(i, line));
        continue;
      }
      Section section = new Section(i, line, new ArrayList<>(), new ArrayList<>());
      for (; i < lines.length && !endsSection(lines[i]); i++) {
        if (!isComment(lines[i])) {
          inSection(section, i + 1, lines[i]);
        }
      }
      parts.add(section);
    }
    return parts;
  }

  /** Only the sections, in file order. */
  public static List<Section> sections(String text, HeaderTest headers) {
    return read(text, headers).stream()
        .filter(Section.class::isInstance)
        .map(Section.class::cast)
        .toList();
  }

  private static void inSection(Section section, int lineNumber, String line) {
    Optional<Property> property = property(lineNumber, line);
    if (property.isPresent()) {
      section.properties().add(property.get());
    } else {
      section.ignored().add(new Ignored(lineNumber, line));
    }
  }

  /**
   * check_value's {@code $value = 1 if $ct eq 'boolean' && !defined($value)}: a bare boolean is 1.
   */
  public static String checkValueInput(PropertyFormat.Property property, String value) {
    return property.type() == PropertyFormat.Type.BOOLEAN && value.isEmpty() ? "1" : value;
  }

  /** parse_config's warning for an ignored line, with what a lone {@code \r} line means. */
  public static String ignoredWarning(String origin, Ignored line) {
    return origin
        + ":"
        + line.line()
        + ": ignore config line: "
        + Printable.of(line.text())
        + (line.text().equals("\r")
            ? " (the file has Windows line endings: this line does not end the section, so Proxmox reads what follows as"
                + " part of it; save the file with LF line endings)"
            : "");
  }

  /** Perl's false strings: parse_config's {@code while ($line = $nextline->())} stops at either. */
  private static boolean endsSection(String line) {
    return line.isEmpty() || line.equals("0");
  }

  private static boolean isComment(String line) {
    return COMMENT.matcher(line).lookingAt();
  }

  /**
   * {@code ^\s+(\S+)(\s+(.*\S))?\s*$}, by hand: the regex backtracks quadratically over a long run
   * of blanks. After the trailing blanks are cut, the key is the first run of non-blanks after the
   * indent, and the value is the rest without its leading blanks (Perl's {@code .} takes {@code
   * \r}).
   */
  static Optional<Property> property(int lineNumber, String line) {
    String text = ProxmoxText.stripTrailingPerlSpace(line);
    if (text.isEmpty() || !ProxmoxText.isPerlSpace(text.charAt(0))) {
      return Optional.empty();
    }
    int keyStart = ProxmoxText.skipPerlSpace(text, 0);
    if (keyStart == text.length()) {
      return Optional.empty();
    }
    int keyEnd = keyStart;
    while (keyEnd < text.length() && !ProxmoxText.isPerlSpace(text.charAt(keyEnd))) {
      keyEnd++;
    }
    String value = text.substring(ProxmoxText.skipPerlSpace(text, keyEnd));
    return Optional.of(new Property(lineNumber, line, text.substring(keyStart, keyEnd), value));
  }
}
