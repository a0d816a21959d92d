package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.guesthook.id.PciAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** /etc/pve/mapping/pci.cfg as pve-guest-common writes it: sections, one map line per node. */
class PciMappingsTest {
  static final String CFG = """
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
    assertEquals(List.of(PciAddress.parse("01:00.0"), PciAddress.parse("02:00.0")), gpus.on("pve1").get(0).functions());
    assertEquals(List.of(), gpus.on("pve2").get(0).functions(), "a path without a function names a whole slot");
    assertEquals(14, gpus.on("pve1").get(0).iommuGroup().orElseThrow());
    assertEquals(List.of(), mappings.get("nic-vfs").on("pve3"));
  }

  /** Lines pve-common's SectionConfig ignores with a warning: the good mapping is read, nothing else is. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "bad id!",
    "\\tmap node=pve1,path=0000:01:00.0,id=10de:2231",
    "../../etc\\n\\tmap node=pve1,path=0000:01:00.0,id=10de:2231",
    "zz\\u0000z\\n\\tmap node=pve1,path=0000:01:00.0,id=10de:2231",
  })
  void whatProxmoxIgnoresIsIgnored(String text) throws Exception {
    Map<String, PciMapping> mappings = PciMappings.parse("/x.cfg", text.replace("\\n", "\n").replace("\\t", "\t")
        .replace("\\u0000", "\0") + "\n\ngood\n\tmap node=pve1,path=0000:02:00.0,id=10de:2231\n");
    assertEquals(List.of("good"), List.copyOf(mappings.keySet()));
    assertEquals(List.of(PciAddress.parse("02:00.0")), mappings.get("good").on("pve1").get(0).functions());
  }

  @Test
  void aRepeatedIdRefusesThatMappingOnly() throws Exception {
    Map<String, PciMapping> mappings = PciMappings.parse("/x.cfg", "mx\n\tmap node=pve1,path=0000:01:00.0,id=10de:2231\n\n"
        + "good\n\tmap node=pve1,path=0000:02:00.0,id=10de:2231\n\nmx\n\tmap node=pve1,path=0000:03:00.0,id=10de:2231\n");
    assertEquals(List.of("/x.cfg:7: mapping 'mx' defined twice (first at line 1)"), mappings.get("mx").problems());
    assertEquals(List.of(), mappings.get("good").problems());
  }

  /** A CRLF file: the {@code \r} is trailing whitespace to SectionConfig's patterns, but a line of only {@code \r} is not empty. */
  @Test
  void crlfLinesParseAsProxmoxParsesThem() throws Exception {
    Map<String, PciMapping> mappings = PciMappings.parse("/x.cfg", CFG.replace("\n", "\r\n"));
    assertEquals(List.of("gpu-pool"), List.copyOf(mappings.keySet()), "'nic-vfs' follows a line of \\r: Proxmox ignores it");
    assertEquals(List.of(), mappings.get("gpu-pool").problems());
    assertEquals("RTX A5000 cards", mappings.get("gpu-pool").description());
    assertEquals("10de:2231", mappings.get("gpu-pool").on("pve1").get(0).ids());
    assertEquals(List.of(PciAddress.parse("03:02.0"), PciAddress.parse("03:02.1")), mappings.get("gpu-pool").on("pve1").get(1).functions(),
        "its map line joins the section before, as in Proxmox");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "\\tmap node=pve1,path=../../x,id=10de:2231     | /x.cfg:2: map path '../../x' is not a PCI address",
    "\\tmap node=pve1,path=0000:01:00.0             | /x.cfg:2: map without id=",
    "\\tcolour blue                                  | /x.cfg:2: unknown property 'colour'",
    "\\tmap node=pve1,path=10000:01:00.0,id=8086:1234 | /x.cfg:2: map path '10000:01:00.0': PCI domains wider than 4 hex digits (such as Intel VMD's) are not supported by guesthook",
  })
  void aBadLineRefusesOnlyItsOwnMappingNamingFileAndLine(String line, String problem) throws Exception {
    Map<String, PciMapping> mappings = PciMappings.parse("/x.cfg", "bad\n" + line.replace("\\t", "\t")
        + "\n\ngood\n\tmap node=pve1,path=0000:01:00.0,id=10de:2231\n");
    assertEquals(List.of(problem), mappings.get("bad").problems());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mappings.get("bad").on("pve1"));
    assertEquals("mapping 'bad' cannot be used: " + problem, e.getMessage());
    assertEquals(List.of(PciAddress.parse("01:00.0")), mappings.get("good").on("pve1").get(0).functions());
  }
}
