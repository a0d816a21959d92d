package dev.guesthook.pve.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfig;
import dev.guesthook.pve.VmConfigParser;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * VM config keys guesthook reads whose values qemu-server checks by a format (parse_vm_config's
 * check_type): one accepted and one refused value per pattern, enumeration, bound and format; a
 * refused line is left out and named with file:line and Proxmox's words.
 */
class QemuFormatsTest {
  static final String FILE = "/etc/pve/qemu-server/101.conf";

  private static List<String> problems(String key, String value) throws PveFileException {
    VmConfig config = VmConfigParser.parse(FILE, "name: vm\n" + key + ": " + value + "\n");
    assertEquals(
        config.problems().isEmpty(), config.current().containsKey(key), "a named line is left out");
    return config.problems();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "machine|q35", // $machine_fmt type pattern
        "machine|type=pc-i440fx-9.2+pve1.pxe",
        "machine|virt-9.2",
        "machine|pc-q35-10.0+pve1,viommu=virtio", // viommu enum
        "machine|q35,viommu=intel,aw-bits=48", // aw-bits number 32..64
        "machine|q35,enable-s3=on,enable-s4=0", // booleans via parse_boolean
        "memory|4096", // $memory_fmt current, integer, minimum 16
        "memory|current=16",
        "vmstate|local:101/vm-101-state-suspend-2026-12-05.raw", // pve-volume-id
        "hookscript|local:snippets/guesthook.pl"
      })
  void accepted(String key, String value) throws Exception {
    assertEquals(List.of(), problems(key, value));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "machine|i440fx|format error\\ntype: value does not match the regex pattern",
        "machine|pc-q35-10.0+pve1.pxe.pxe-and-a-name-longer-than-40|format error\\ntype: value does not match the regex pattern",
        "machine|q35,viommu=amd|format error\\nviommu: value 'amd' does not have a value in the enumeration 'intel, virtio'",
        "machine|q35,aw-bits=65|format error\\naw-bits: value must have a maximum value of 64",
        "machine|q35,aw-bits=x|format error\\naw-bits: type check ('number') failed - got 'x'",
        "machine|q35,enable-s3=maybe|format error\\nenable-s3: type check ('boolean') failed - got 'maybe'",
        "machine|q35,smm=1|invalid key in comma-separated list property: smm",
        "memory|8|format error\\ncurrent: value must have a minimum value of 16",
        "memory|4G|format error\\ncurrent: type check ('integer') failed - got '4G'",
        "vmstate|vm-101-state.raw|unable to parse volume ID 'vm-101-state.raw'",
        "hookscript|/var/lib/vz/snippets/hook.pl|unable to parse volume ID '/var/lib/vz/snippets/hook.pl'"
      })
  void refused(String key, String value, String message) throws Exception {
    assertEquals(
        List.of(
            FILE + ":2: unable to parse value of '" + key + "' - " + message.replace("\\n", "\n")),
        problems(key, value));
  }
}
