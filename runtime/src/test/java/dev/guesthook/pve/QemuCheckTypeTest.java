package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Scalar VM config keys as qemu-server's own check_type reads them (not pve-common's): integers are
 * digits only, numbers digits with one optional {@code .digits}; a refused line is left out and
 * named with file:line and Proxmox's words, an accepted one is kept as Perl returns it.
 */
class QemuCheckTypeTest {
  static final String FILE = "/etc/pve/qemu-server/101.conf";

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "cpulimit|2|2",
        "cpulimit|0.5|0.5",
        "migrate_downtime|10.25|10.25",
        "balloon|2048|2048",
        "cores|04|4", // int($1)
        "migrate_speed|99999999999999999999|1e+20", // int() of a number past 2^64-1: a double
        "migrate_speed|18446744073709551615|18446744073709551615",
        "onboot|yes|1",
        "acpi|OFF|0"
      })
  void accepted(String key, String value, String kept) throws Exception {
    VmConfig config = VmConfigParser.parse(FILE, key + ": " + value + "\n");
    assertEquals(List.of(), config.problems());
    assertEquals(kept, config.get(key).orElseThrow());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "cpulimit|+1|number", // pve-common's is_number takes a sign, qemu-server does not
        "cpulimit|1e3|number",
        "cpulimit|1.|number",
        "migrate_downtime|.5|number",
        "migrate_downtime|-1|number",
        "balloon|+2048|integer",
        "balloon|-1|integer",
        "cores|1.0|integer",
        "onboot|2|boolean",
        "kvm|enabled|boolean"
      })
  void refused(String key, String value, String type) throws Exception {
    VmConfig config = VmConfigParser.parse(FILE, key + ": " + value + "\n");
    assertEquals(
        List.of(
            FILE
                + ":1: unable to parse value of '"
                + key
                + "' - type check ('"
                + type
                + "') failed - got '"
                + value
                + "'"),
        config.problems());
    assertEquals(false, config.current().containsKey(key));
  }
}
