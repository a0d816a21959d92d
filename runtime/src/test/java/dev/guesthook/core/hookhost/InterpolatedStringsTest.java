package dev.guesthook.core.hookhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import dev.guesthook.testsupport.OneShot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hook's {@code "...${value}..."} costs its process no Groovy formatter: the first GString Groovy
 * turns into text scans the JDK's module image and Groovy's jar (150-160 ms of cpu, 4.4 MB of RSS
 * in a phase's JVM).
 */
class InterpolatedStringsTest {
  @TempDir Path base;

  @Test
  void aPhaseWhoseHooksInterpolateIdsNeverStartsGroovysFormatter() throws Exception {
    HostTree host = HostTree.create(base);
    host.vm(101, "memory: 2048\nname: vm101\n");
    host.file("sys/vm/101", "");
    host.hook(
        "named.groovy",
        """
        hook('named') { on('pre-start') { ev ->
          log.info "starting ${ev.vmid} at ${ev.phase}"
          String path = "/sys/vm/${ev.vmid}"
          write path, started(ev)
        } }

        String started(ev) { "started ${ev.vmid}" }
        """);
    Map<String, String> environment =
        Map.of(
            "GUESTHOOK_ROOT", host.root().toString(),
            "GUESTHOOK_HOOK_DIRS", host.hooks().toString());
    OneShot.start(environment, List.of("101", "pre-start")).await(); // compiles it into the cache
    Path classes = base.resolve("classes.log");

    Cli.Result second =
        OneShot.start(
                List.of("-Xlog:class+load:file=" + classes),
                environment,
                List.of("101", "pre-start"))
            .await();

    assertEquals(0, second.exitCode(), second::toString);
    assertTrue(second.out().contains("starting 101 at pre-start"), second::toString);
    assertEquals("started 101", host.read("sys/vm/101"));
    List<String> loaded = Files.readAllLines(classes);
    assertTrue(loaded.stream().anyMatch(line -> line.contains(" guesthook_hook_named")), "ran");
    assertEquals(
        List.of(),
        loaded.stream()
            .filter(line -> line.contains(" org.codehaus.groovy.runtime.FormatHelper "))
            .toList());
  }
}
