package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * usb.cfg and directory.cfg, in the formats pve-guest-common's PVE::Mapping::USB and ::Dir accept.
 */
class OtherMappingsTest {
  @Test
  void usbMappingsByIdOrPort() throws Exception {
    UsbMapping dongle =
        OtherMappings.usb(
                "/etc/pve/mapping/usb.cfg",
                "license-key\n\tdescription the CAD dongle\n\tmap node=pve1,id=096E:0006,path=1-2.3\n\tmap node=pve2,id=096e:0006\n")
            .get("license-key");
    assertEquals("the CAD dongle", dongle.description());
    assertEquals(Optional.of("1-2.3"), dongle.on("pve1").get(0).path());
    assertEquals(
        "096E:0006",
        dongle.on("pve1").get(0).ids(),
        "as written: assert_valid compares it with ne");
    assertEquals(Optional.empty(), dongle.on("pve2").get(0).path());
  }

  @Test
  void aUsbPortThatIsNotOneIsNamed() {
    PveFileException e =
        assertThrows(
            PveFileException.class,
            () -> OtherMappings.usb("/u.cfg", "key\n\tmap node=pve1,id=096e:0006,path=../1\n"));
    assertEquals(
        "/u.cfg:2: section 'key' - unable to parse value of 'map': invalid format - format error\n"
            + "path: value does not match the regex pattern",
        e.getMessage());
  }

  /** USB.pm's map format: node and id required, id vendor:device; the section has no booleans. */
  @Test
  void theUsbMapFormatsOtherRefusals() {
    PveFileException noId =
        assertThrows(
            PveFileException.class, () -> OtherMappings.usb("/u.cfg", "key\n\tmap node=pve1\n"));
    assertEquals(
        "/u.cfg:2: section 'key' - unable to parse value of 'map': invalid format - format error\n"
            + "id: property is missing and it is not optional",
        noId.getMessage());
    PveFileException mdev =
        assertThrows(PveFileException.class, () -> OtherMappings.usb("/u.cfg", "key\n\tmdev 1\n"));
    assertEquals(
        "/u.cfg:2: section 'key' - unable to parse value of 'mdev': unknown property type",
        mdev.getMessage());
  }

  /**
   * Dir.pm's pve_verify_path anchors only the start: {@code /srv/a(b)} passes, {@code /(b)} and a
   * relative path do not.
   */
  @Test
  void directoryMappingsAndTheCharactersUpstreamRefuses() throws Exception {
    DirMapping share =
        OtherMappings.directories("/d.cfg", "media\n\tmap node=pve1,path=/srv/media\n")
            .get("media");
    assertEquals(List.of(new DirMapping.Node("pve1", "/srv/media")), share.on("pve1"));
    assertEquals(
        "/srv/a(b)",
        OtherMappings.directories("/d.cfg", "media\n\tmap node=pve1,path=/srv/a(b)\n")
            .get("media")
            .on("pve1")
            .get(0)
            .path());
    for (String path : List.of("/(b)", "srv/media")) {
      PveFileException e =
          assertThrows(
              PveFileException.class,
              () ->
                  OtherMappings.directories(
                      "/d.cfg", "media\n\tmap node=pve1,path=" + path + "\n"));
      assertEquals(
          "/d.cfg:2: section 'media' - unable to parse value of 'map': invalid format - format error\n"
              + "path: invalid format - Value does not look like a valid absolute path. These symbols are"
              + " currently not allowed in path: ;,=()",
          e.getMessage());
    }
  }
}
