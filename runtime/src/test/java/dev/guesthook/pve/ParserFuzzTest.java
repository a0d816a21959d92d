package dev.guesthook.pve;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz tests of the Proxmox file parsers: whatever the bytes, a parser either reads them or fails
 * with a {@link PveFileException} naming file and line; nothing else may escape, and nothing may
 * hang. {@code ./mvnw verify} replays the inputs under {@code ParserFuzzTestInputs/} (seeds and the
 * crashes fuzzing found, fixed since); {@code JAZZER_FUZZ=1 ./mvnw -pl runtime test
 * -Dtest=ParserFuzzTest} fuzzes for real.
 */
class ParserFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void vmConfig(FuzzedDataProvider data) {
    boolean strict = data.consumeBoolean();
    String text = data.consumeRemainingAsString();
    try {
      VmConfig config =
          strict
              ? VmConfigParser.parseStrict("/f/101.conf", text)
              : VmConfigParser.parse("/f/101.conf", text);
      config.hostpci();
      config.disks();
      config.machine();
      config.memoryMiB();
      config.tags();
      config.pendingDeletes();
      VmstateStorage.choose(config, StorageConfig.absent());
    } catch (PveFileException expected) {
      // A bad file is reported, with its line.
    }
  }

  @FuzzTest(maxDuration = "60s")
  void storageConfig(FuzzedDataProvider data) {
    try {
      StorageConfig storages =
          StorageConfig.parse("/f/storage.cfg", data.consumeRemainingAsString());
      storages.storages().values().forEach(s -> s.unavailableOn("pve1"));
    } catch (PveFileException expected) {
      // A bad file is reported, with its line.
    }
  }

  @FuzzTest(maxDuration = "60s")
  void pciMappings(FuzzedDataProvider data) {
    try {
      PciMappings.parse("/f/pci.cfg", data.consumeRemainingAsString())
          .values()
          .forEach(m -> m.nodes().forEach(PciMapping.Node::functions));
    } catch (PveFileException expected) {
      // A bad file is reported, with its line.
    }
  }

  @FuzzTest(maxDuration = "60s")
  void usbAndDirectoryMappings(FuzzedDataProvider data) {
    boolean usb = data.consumeBoolean();
    String text = data.consumeRemainingAsString();
    try {
      if (usb) {
        OtherMappings.usb("/f/usb.cfg", text);
      } else {
        OtherMappings.directories("/f/directory.cfg", text);
      }
    } catch (PveFileException expected) {
      // A bad file is reported, with its line.
    }
  }
}
