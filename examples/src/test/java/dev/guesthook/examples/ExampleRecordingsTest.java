package dev.guesthook.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.testkit.ReplayTest;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The example recordings (recordings/, made by make.sh in a checkout from the demo, which ran the
 * stock hooks and mine) replayed through today's hooks: a hook change that alters what they do on a
 * host fails its test with the interactions that differ. After an intended change, record again.
 */
class ExampleRecordingsTest {
  @ReplayTest(
      value = "recordings/gvt-g-mdev.jsonl",
      hooks = {ReplayTest.STOCK, "hooks"})
  void aGvtgSliceMadeAndRemoved() {}

  @ReplayTest(
      value = "recordings/nvidia-vgpu-mdev.jsonl",
      hooks = {ReplayTest.STOCK, "hooks"})
  void anNvidiaMdevVgpu() {}

  @ReplayTest(
      value = "recordings/nvidia-vgpu-vf.jsonl",
      hooks = {ReplayTest.STOCK, "hooks"})
  void anNvidiaVgpuOnAVfWithMyParameters() {}

  @ReplayTest(
      value = "recordings/sriov-vf-mac-vlan.jsonl",
      hooks = {ReplayTest.STOCK, "hooks"})
  void anSriovVfWithMacAndVlan() {}

  @ReplayTest(
      value = "recordings/gpu-release-to-host.jsonl",
      hooks = {ReplayTest.STOCK, "hooks"})
  void aGpuHandedBackToTheHostAfterStop() {}

  @ReplayTest(
      value = "recordings/hibernate-and-resume.jsonl",
      hooks = {ReplayTest.STOCK, "hooks"})
  void aHibernationAndItsResume() {}

  @ReplayTest(
      value = "recordings/failed-pre-start-rolled-back.jsonl",
      hooks = {ReplayTest.STOCK, "hooks"})
  void aFailedStartRolledBackWithMyCpuGovernor() {}

  @Test
  void everyRecordingHereIsReplayed() throws IOException {
    Set<String> replayed =
        Arrays.stream(getClass().getDeclaredMethods())
            .map((Method m) -> m.getAnnotation(ReplayTest.class))
            .filter(Objects::nonNull)
            .map(ReplayTest::value)
            .collect(Collectors.toSet());
    try (Stream<Path> files = Files.list(Path.of("recordings"))) {
      List<String> notReplayed =
          files
              .map(file -> "recordings/" + file.getFileName())
              .filter(name -> name.endsWith(".jsonl") && !replayed.contains(name))
              .sorted()
              .toList();
      assertEquals(List.of(), notReplayed, "give each recording its @ReplayTest");
    }
  }
}
