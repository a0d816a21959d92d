package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.guesthook.id.PciAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** /etc/pve/mapping/pci.cfg as pve-guest-common writes it: sections, one map line per node. */
class PciMappingsTest {
  static final String CFG =
      """
      gpu-pool
      \tdescription RTX A5000 cards
      \tmap node=pve1,path=0000:01:00.0;0000:02:00.0,id=10de:2231,subsystem-id=10de:147e,iommugroup=14
      \tmap node=pve2,path=0000:41:00,id=10de:2231
      \tmdev 1

      nic-vfs
      \tmap node=pve1,path=0000:03:02.0;0000:03:02.1,id=8086:154c
      """;

  @Test
  void sectionsAndTheirNodesAreRead() throws Exception {
    Map<String, PciMapping> mappings = PciMappings.parse("/etc/pve/mapping/pci.cfg", CFG);
    assertEquals(List.of("gpu-pool", "nic-vfs"), List.copyOf(mappings.keySet()));
    PciMapping gpus = mappings.get("gpu-pool");
    assertEquals("RTX A5000 cards", gpus.description());
    assertEquals(true, gpus.mdev());
    assertEquals(
        List.of(PciAddress.parse("01:00.0"), PciAddress.parse("02:00.0")),
        gpus.on("pve1").get(0).functions());
    assertEquals(
        List.of(),
        gpus.on("pve2").get(0).functions(),
        "a path without a function names a whole slot");
    assertEquals("14", gpus.on("pve1").get(0).iommuGroup().orElseThrow());
    assertEquals(List.of(), mappings.get("nic-vfs").on("pve3"));
  }

  /**
   * Lines pve-common's SectionConfig ignores with a warning: the good mapping is read, nothing else
   * is.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "bad id!",
        "\\tmap node=pve1,path=0000:01:00.0,id=10de:2231",
        "../../etc\\n\\tmap node=pve1,path=0000:01:00.0,id=10de:2231",
        "zz\\u0000z\\n\\tmap node=pve1,path=0000:01:00.0,id=10de:2231",
      })
  void whatProxmoxIgnoresIsIgnored(String text) throws Exception {
    Map<String, PciMapping> mappings =
        PciMappings.parse(
            "/x.cfg",
            text.replace("\\n", "\n").replace("\\t", "\t").replace("\\u0000", "\0")
                + "\n\ngood\n\tmap node=pve1,path=0000:02:00.0,id=10de:2231\n");
    assertEquals(List.of("good"), List.copyOf(mappings.keySet()));
    assertEquals(
        List.of(PciAddress.parse("02:00.0")), mappings.get("good").on("pve1").get(0).functions());
  }

  @Test
  void theLaterOfARepeatedIdCountsAsInProxmox() throws Exception {
    Map<String, PciMapping> mappings =
        PciMappings.parse(
            "/x.cfg",
            "mx\n\tmap node=pve1,path=0000:01:00.0,id=10de:2231\n\tmdev yes\n\n"
                + "good\n\tmap node=pve1,path=0000:02:00.0,id=10de:2231\n\nmx\n\tmap node=pve1,path=0000:03:00.0,id=10de:2231\n");
    assertEquals(
        List.of(), mappings.get("mx").problems(), "the earlier section's bad line went with it");
    assertEquals(List.of("0000:03:00.0"), mappings.get("mx").on("pve1").get(0).paths());
    assertEquals(List.of(), mappings.get("good").problems());
  }

  /**
   * A CRLF file: the {@code \r} is trailing whitespace to SectionConfig's patterns, but a line of
   * only {@code \r} is not empty.
   */
  @Test
  void crlfLinesParseAsProxmoxParsesThem() throws Exception {
    Map<String, PciMapping> mappings = PciMappings.parse("/x.cfg", CFG.replace("\n", "\r\n"));
    assertEquals(
        List.of("gpu-pool"),
        List.copyOf(mappings.keySet()),
        "'nic-vfs' follows a line of \\r: Proxmox ignores it");
    assertEquals(List.of(), mappings.get("gpu-pool").problems());
    assertEquals("RTX A5000 cards", mappings.get("gpu-pool").description());
    assertEquals("10de:2231", mappings.get("gpu-pool").on("pve1").get(0).ids());
    assertEquals(
        List.of(PciAddress.parse("03:02.0"), PciAddress.parse("03:02.1")),
        mappings.get("gpu-pool").on("pve1").get(1).functions(),
        "its map line joins the section before, as in Proxmox");
  }

  /**
   * Each check of pve-common's SectionConfig {@code check_value} and JSONSchema {@code check_prop}
   * on PVE::Mapping::PCI's properties and {@code $map_fmt}, in their words.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\\tmap node=pve1,path=../../x,id=10de:2231       | 'map': invalid format - format error\\npath: value does not match the regex pattern",
        "\\tmap node=pve1,path=0000:0B:00.0,id=10de:2231  | 'map': invalid format - format error\\npath: value does not match the regex pattern",
        "\\tmap node=pve1,path=0000:01:00.0;,id=10de:2231 | 'map': invalid format - format error\\npath: value does not match the regex pattern",
        "\\tmap node=pve1,path=0000:01:00.0             | 'map': invalid format - format error\\nid: property is missing and it is not optional",
        "\\tmap path=0000:01:00.0,id=10de:2231           | 'map': invalid format - format error\\nnode: property is missing and it is not optional",
        "\\tmap node=pve_1,path=0000:01:00.0,id=10de:2231 | 'map': invalid format - format error\\nnode: invalid format - value does not look like a valid node name",
        "\\tmap node=pve1,path=0000:01:00.0,id=10de:22    | 'map': invalid format - format error\\nid: value does not match the regex pattern",
        "\\tmap node=pve1,path=0000:01:00.0,id=10de:2231,subsystem-id=0x10de | 'map': invalid format - format error\\nsubsystem-id: value does not match the regex pattern",
        "\\tmap node=pve1,path=0000:01:00.0,id=10de:2231,iommugroup=7a | 'map': invalid format - format error\\niommugroup: type check ('integer') failed - got '7a'",
        "\\tmap node=pve1,path=x,id=y                     | 'map': invalid format - format error\\nid: value does not match the regex pattern\\npath: value does not match the regex pattern",
        "\\tmap node=pve1,path=0000:01:00.0,id=10de:2231,colour=1 | 'map': invalid format - invalid key in comma-separated list property: colour",
        "\\tmap node=pve1,path=0000:01:00.0,id=10de:2231,id=10de:2231 | 'map': invalid format - duplicate key in comma-separated list property: id",
        "\\tmap node=pve1,path=0000:01:00.0,id=           | 'map': invalid format - missing key in comma-separated list property",
        "\\tcolour blue                                  | 'colour': unknown property type",
        "\\tid other                                     | 'id': unexpected property 'id'",
        "\\tmdev yes                                     | 'mdev': type check ('boolean') failed - got 'yes'",
        "\\tlive-migration-capable true                  | 'live-migration-capable': type check ('boolean') failed - got 'true'",
        "\\tmdev 1\\n\\tmdev 1                          | 'mdev': duplicate attribute",
        "\\tdescription a\\n\\tdescription b             | 'description': duplicate attribute",
      })
  void aBadLineRefusesOnlyItsOwnMappingNamingFileAndLine(String lines, String problem)
      throws Exception {
    String text = lines.replace("\\t", "\t").replace("\\n", "\n");
    Map<String, PciMapping> mappings =
        PciMappings.parse(
            "/x.cfg",
            "bad\n\tmap node=pve1,path=0000:02:00.0,id=10de:2231\n"
                + text
                + "\n\ngood\n\tmap node=pve1,path=0000:01:00.0,id=10de:2231\n");
    int line = 2 + (int) text.lines().count();
    String expected =
        "/x.cfg:"
            + line
            + ": section 'bad' - unable to parse value of "
            + problem.replace("\\n", "\n");
    assertEquals(List.of(expected), mappings.get("bad").problems());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> mappings.get("bad").on("pve1"));
    assertEquals("mapping 'bad' cannot be used: " + expected, e.getMessage());
    assertEquals(
        List.of(PciAddress.parse("01:00.0")), mappings.get("good").on("pve1").get(0).functions());
  }

  /**
   * What the same checks accept: booleans 1, 0 or bare; values kept as written, for assert_valid to
   * compare.
   */
  @Test
  void whatUpstreamAcceptsIsReadAsWritten() throws Exception {
    Map<String, PciMapping> mappings =
        PciMappings.parse(
            "/x.cfg",
            """
        aa
        \tmdev
        \tlive-migration-capable 1
        \tmap node=pve-1,path=0000:01:00;0000:02:00.1,id=10DE:2231,subsystem-id=10DE:147E,iommugroup=+7,description=x

        bb
        \tmdev 0
        \tlive-migration-capable 0
        \tmap node=pve1,path=0000:03:00.0,id=10de:2231
        """);
    PciMapping a = mappings.get("aa");
    assertEquals(List.of(), a.problems());
    assertEquals(List.of(true, true), List.of(a.mdev(), a.liveMigrationCapable()));
    PciMapping.Node node = a.on("pve-1").get(0);
    assertEquals(
        List.of("10DE:2231", "10DE:147E", "+7"),
        List.of(node.ids(), node.subsystemIds().orElseThrow(), node.iommuGroup().orElseThrow()));
    assertEquals(List.of("0000:01:00", "0000:02:00.1"), node.paths());
    assertEquals(
        List.of(false, false),
        List.of(mappings.get("bb").mdev(), mappings.get("bb").liveMigrationCapable()));
  }

  /**
   * parse_config stores only a value check_value accepted: a bad one then a good one is one
   * problem, not a duplicate.
   */
  @Test
  void onlyAnAcceptedValueMakesALaterOneADuplicate() throws Exception {
    PciMapping bad =
        PciMappings.parse(
                "/x.cfg",
                "bad\n\tmdev yes\n\tmdev 1\n\tmap node=pve1,path=0000:02:00.0,id=10de:2231\n")
            .get("bad");
    assertEquals(
        List.of(
            "/x.cfg:2: section 'bad' - unable to parse value of 'mdev': type check ('boolean') failed - got 'yes'"),
        bad.problems());
    assertEquals(true, bad.mdev());
  }

  @Test
  void aPciDomainGuesthookCannotUseRefusesThatMappingOnItsNode() throws Exception {
    Map<String, PciMapping> mappings =
        PciMappings.parse("/x.cfg", "bad\n\tmap node=pve1,path=10000:01:00.0,id=8086:1234\n");
    assertEquals(
        Optional.of(
            "mapping 'bad' cannot be used: /x.cfg:2: map path '10000:01:00.0': PCI domains wider than 4"
                + " hex digits (such as Intel VMD's) are not supported by guesthook"),
        mappings.get("bad").refusalOn("pve1"));
    assertThrows(IllegalArgumentException.class, () -> mappings.get("bad").on("pve1"));
  }

  /**
   * Mapping::PCI's $PCI_RE is a double-quoted string, so its "\\." is any character: Proxmox reads
   * {@code 0000:0c:00x0}. On another node that line is none of this node's business; on this node
   * it is a device assert_valid does not find.
   */
  @Test
  void aPathProxmoxReadsButCannotFindSpoilsOnlyItsOwnNode() throws Exception {
    Map<String, PciMapping> mappings =
        PciMappings.parse(
            "/x.cfg",
            "rx\n\tmap node=other,path=0000:0c:00x0,id=1002:73bf\n"
                + "\tmap node=pve1,path=0000:0b:00.0,id=1002:73bf\n");
    PciMapping rx = mappings.get("rx");
    assertEquals(List.of(), rx.problems());
    assertEquals(List.of("0000:0b:00.0"), rx.on("pve1").get(0).paths());
    assertEquals(
        Optional.of(
            "mapping 'rx' cannot be used: /x.cfg:2: map path '0000:0c:00x0': pci device '0000:0c:00x0.0'"
                + " not found"),
        rx.refusalOn("other"));
  }
}
