package dev.guesthook.journald;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.testsupport.JournalSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay to a real datagram socket, and what happens when it goes away. */
class JournaldTest {
  @TempDir Path base;

  @Test
  void aRelayThatDiesCostsOneWarningAndNeverBlocksASender() throws Exception {
    Path socket = base.resolve("journal.sock");
    List<String> warnings = new CopyOnWriteArrayList<>();
    try (JournalSocket journal = JournalSocket.bind(socket);
        Journald journald = Journald.at(socket, warnings::add)) {
      journald.send(JournalEntry.message(Priority.INFO, "before"));
      journal.entriesUntil(entry -> entry.get("MESSAGE").equals("before"));
      ProcessHandle relay =
          ProcessHandle.current()
              .children()
              .filter(child -> child.info().command().orElse("").endsWith("/perl"))
              .filter(
                  child ->
                      child
                          .info()
                          .arguments()
                          .map(args -> List.of(args).contains(socket.toString()))
                          .orElse(false))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no relay process for " + socket));
      relay.destroyForcibly();
      relay.onExit().get(10, TimeUnit.SECONDS);

      long start = System.nanoTime();
      for (int i = 0; i < 10_000 && journald.isOn(); i++) {
        journald.send(JournalEntry.message(Priority.INFO, "after " + i));
        Thread.sleep(1);
      }
      for (int i = 0; i < 10_000; i++) {
        journald.send(JournalEntry.message(Priority.INFO, "dropped " + i));
      }
      assertTrue(
          System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30),
          "sending never waited for the relay");
      assertFalse(journald.isOn());
      assertEquals(1, warnings.size(), warnings::toString);
      assertTrue(
          warnings.get(0).startsWith("journald: the relay (perl, pid " + relay.pid() + ") ended ("),
          warnings::toString);
    }
  }
}
