package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.guesthook.journald.Journald;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import dev.guesthook.testsupport.JournalSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-shot path (what Proxmox runs without the service) and the journal. */
class OneShotJournalTest {
  @TempDir Path base;
  HostTree host;
  Path journalSocket;

  @BeforeEach
  void aHostWithAHookThatLogs() {
    host = HostTree.create(base).vm(502, "memory: 512\n");
    host.hook(
        "hello.groovy",
        "hook('hello') { on('post-stop') { ev -> log.error 'nul\\u0000here'; log.info 'a\\nb'; throw new RuntimeException('gone') } }\n");
    journalSocket = host.root().resolve(Journald.SOCKET);
  }

  private Cli.Result postStop() {
    List<String> args = new ArrayList<>(host.options());
    args.addAll(List.of("502", "post-stop"));
    return Cli.run(args);
  }

  @Test
  void aOneShotPhaseSendsEachLineToTheJournalBeforeItExits() throws Exception {
    try (JournalSocket journal = JournalSocket.bind(journalSocket)) {
      Cli.Result run = postStop();
      assertEquals(0, run.exitCode(), run::toString);
      assertEquals("", run.err());
      List<Map<String, String>> entries =
          journal.entriesUntil(entry -> entry.get("MESSAGE").startsWith("post-stop:"));
      assertEquals(
          List.of(
              "6 VMID=502 PHASE=post-stop: VM 502 post-stop (stop) on pve-test: 1 hook",
              "3 VMID=502 PHASE=post-stop HOOK=hello: [hello] nul\\x00here",
              "6 VMID=502 PHASE=post-stop HOOK=hello: [hello] a\nb",
              "3 VMID=502 PHASE=post-stop HOOK=hello: FAILED   hello (N ms): RuntimeException: gone (at hello.groovy:1)",
              "4 VMID=502 PHASE=post-stop: post-stop: 1 of 1 hooks failed (reported only)"),
          entries.stream().map(ServeTest::shown).toList());
    }
  }

  @Test
  void withoutAJournalNothingStartsAndTheTaskLogIsTheSame() throws Exception {
    assertFalse(Journald.at(journalSocket, warning -> {}).isOn(), "no relay without the socket");
    Cli.Result without = postStop();
    Cli.Result with;
    try (JournalSocket journal = JournalSocket.bind(journalSocket)) {
      with = postStop();
      journal.entriesUntil(entry -> entry.get("MESSAGE").startsWith("post-stop:"));
    }
    assertEquals(0, without.exitCode(), without::toString);
    assertEquals(
        String.join(
            "\n",
            "guesthook: VM 502 post-stop (stop) on pve-test: 1 hook",
            "  [hello] error: nul\u0000here",
            "  [hello] a",
            "  [hello] b",
            "  FAILED   hello (N ms): RuntimeException: gone (at hello.groovy:1)",
            "guesthook: post-stop: 1 of 1 hooks failed (reported only)",
            ""),
        withoutDurations(without.out()));
    assertEquals(withoutDurations(without.out()), withoutDurations(with.out()));
    assertEquals(without.err(), with.err());
  }

  private static String withoutDurations(String taskLog) {
    return taskLog.replaceAll("\\(\\d+ ms\\)", "(N ms)");
  }
}
