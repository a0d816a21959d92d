package dev.guesthook.hookapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hook file written for guesthook before its classes moved, importing them by their old names,
 * still loads after the upgrade: its import lines are read as naming the classes where they are
 * now.
 */
class MovedImportsTest {
  @TempDir Path base;

  @Test
  void aHookImportingTheEventsOldNamesStillRuns() {
    HostTree host = HostTree.create(base);
    host.vm(101, "memory: 512\n");
    host.hook(
        "old.groovy",
        """
        import dev.guesthook.event.LifecycleEvent
        import dev.guesthook.event.Situation
        import dev.guesthook.event.Phase
        import dev.guesthook.hookhost.*

        hook('old') {
          on('pre-start') { LifecycleEvent ev ->
            log.info "start=${ev.situation == Situation.START} phase=${ev.phase == Phase.PRE_START}"
          }
        }
        """);

    Cli.Result result = Cli.run(HostTree.args(host.options(), "101", "pre-start"));

    assertEquals(0, result.exitCode(), result::toString);
    assertTrue(result.out().contains("[old] start=true phase=true\n"), result::toString);
  }
}
