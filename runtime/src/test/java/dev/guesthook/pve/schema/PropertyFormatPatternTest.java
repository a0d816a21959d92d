package dev.guesthook.pve.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.pve.schema.PropertyFormat.Property;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * check_prop tests a pattern as Perl's {@code m/^$pattern$/}: the anchors bind to the first and
 * last alternative of a top-level {@code |}, not to the whole, and {@code $} also matches before a
 * final newline.
 */
class PropertyFormatPatternTest {
  private static final Property DISK_OR_CDROM = Property.string().matching("disk|cdrom");
  private static final String REFUSED = "value does not match the regex pattern";

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "disk|true",
        "cdrom|true",
        "disk0|true", // ^disk: starts with the first alternative
        "my-cdrom|true", // cdrom$: ends with the last one
        "floppy|false",
        "my-disk|false", // the first alternative is anchored at the start only
        "cdrom0|false"
      }) // the last at the end only
  void topLevelAlternationIsAnchoredAsPerlDoes(String value, boolean accepted) {
    assertEquals(accepted ? Optional.empty() : Optional.of(REFUSED), DISK_OR_CDROM.refusal(value));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"'0x1234\n'|true", "'0x1234\n\n'|false", "'0x12\n34'|false"})
  void dollarAlsoMatchesBeforeAFinalNewline(String value, boolean accepted) {
    Property hexId = Property.string().matching("0x[0-9a-f]{4}");
    assertEquals(accepted ? Optional.empty() : Optional.of(REFUSED), hexId.refusal(value));
  }
}
