package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.config.Settings;
import dev.guesthook.engine.Engine;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.journald.Journald;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.serve.ResidentRuntime;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.ClientReads;
import dev.guesthook.testsupport.Engines;
import dev.guesthook.testsupport.HookThreads;
import dev.guesthook.testsupport.HostTree;
import dev.guesthook.testsupport.JournalSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** guesthook serve and the hookscript client (a sh + perl script, run as Proxmox runs it). */
class ServeTest {
  static final Path CLIENT = Path.of("src/main/scripts/guesthook-hookscript").toAbsolutePath();
  static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();

  @TempDir Path base;
  Path root;
  Path socket;
  Vertx vertx;
  ResidentRuntime runtime;
  Engine engine;

  @BeforeEach
  void serveASandbox() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    socket = root.resolve("run/guesthook/guesthook.sock");
    vertx = Vertx.vertx();
    JsonObject flags =
        new JsonObject()
            .put("root", root.toString())
            .put("simulate", true)
            .put("hook-dirs", new JsonArray().add(STOCK.toString()));
    Settings settings = Engines.settings(vertx, flags, STOCK);
    engine = new Engine(vertx, settings, SimulatedHost.sandbox(root), Clock.systemUTC()).resident();
    runtime =
        new ResidentRuntime(
            socket, ServeCommand.runner(engine, settings, Journald.OFF), line -> {});
    runtime.start();
  }

  @AfterEach
  void stop() throws Exception {
    runtime.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  record Run(int exit, String out) {}

  private Run client(Map<String, String> env, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of(CLIENT.toString()));
    argv.addAll(List.of(args));
    return process(argv, env);
  }

  private static Run process(List<String> argv, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    return new Run(process.exitValue(), out);
  }

  private Map<String, String> env() {
    return Map.of(
        "GUESTHOOK_SOCKET",
        socket.toString(),
        "GUESTHOOK_ONESHOT",
        base.resolve("no-oneshot").toString());
  }

  @Test
  void aPhaseThroughTheClientActsAndAnswersAsTheOneShotPathDoes() throws Exception {
    Run run = client(env(), "501", "pre-start");
    assertEquals(0, run.exit(), run::out);
    assertTrue(
        run.out().startsWith("guesthook: VM 501 pre-start (start) on pve-sandbox: "), run::out);
    assertTrue(run.out().endsWith("guesthook: pre-start ok\n"), run::out);
    assertEquals(
        "vfio-pci",
        Files.readSymbolicLink(root.resolve("sys/bus/pci/devices/0000:03:02.1/driver"))
            .getFileName()
            .toString());
  }

  @Test
  void theNodeNameIsReadAtTheFirstPhaseAndKeptAsProxmoxsDaemonsKeepTheirs() throws Exception {
    Run first = client(env(), "504", "pre-start");
    Files.writeString(root.resolve("etc/hostname"), "pve-renamed\n");
    Run second = client(env(), "504", "post-stop");

    assertEquals(0, second.exit(), second::out);
    assertTrue(first.out().startsWith("guesthook: VM 504 pre-start (start) on pve-sandbox: "));
    assertTrue(
        second.out().startsWith("guesthook: VM 504 post-stop (stop) on pve-sandbox: "),
        second::out);
  }

  /**
   * A name it could not read is not kept: with /etc/hostname absent (or mid-rewrite) at the first
   * phase, the system's host name stood in for the runtime's life, and the guests' mappings, which
   * name the node, failed to resolve until a restart.
   */
  @Test
  void aNodeNameNotReadAtTheFirstPhaseIsReadAtTheNext() throws Exception {
    Path hostname = root.resolve("etc/hostname");
    Files.move(hostname, root.resolve("etc/hostname.away"));
    Run first = client(env(), "504", "pre-start");
    Files.move(root.resolve("etc/hostname.away"), hostname);
    Run second = client(env(), "504", "pre-start");

    assertTrue(first.out().contains("has no device on node "), first::out);
    assertEquals(0, second.exit(), second::out);
    assertTrue(
        second.out().startsWith("guesthook: VM 504 pre-start (start) on pve-sandbox: "),
        second::out);
  }

  /**
   * Found by the adversary pass: a client let go in a pre-start (it read nothing while the hooks'
   * lines filled the socket) fails the start on Proxmox's side, which then runs no post-stop; the
   * VF the pre-start had given the guest stayed held for the 10-minute start window.
   */
  @Test
  void aPreStartWhoseClientWasLetGoIsPutBack() throws Exception {
    Path chatty = Files.createDirectories(base.resolve("chatty"));
    Files.writeString(
        chatty.resolve("chatty.groovy"),
        "hook('chatty') { order 99\n"
            + "  on('pre-start') {\n"
            + "    write '/sys/chatty', 'on'\n"
            + "    undo('chatty off') { write '/sys/chatty', 'off' }\n"
            + "    4000.times { log.info('z' * 500) } } }\n");
    Files.writeString(root.resolve("sys/chatty"), "off");
    Path numVfs = root.resolve("sys/bus/pci/devices/0000:03:00.0/sriov_numvfs");
    String vfsBefore = Files.readString(numVfs);
    Settings settings =
        Engines.settings(
            vertx,
            new JsonObject()
                .put("root", root.toString())
                .put("simulate", true)
                .put("hook-dirs", new JsonArray().add(STOCK.toString()).add(chatty.toString())),
            STOCK);
    Engine withChatty =
        new Engine(vertx, settings, SimulatedHost.sandbox(root), Clock.systemUTC()).resident();
    Path other = base.resolve("other.sock");
    List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
    ResidentRuntime stalling =
        new ResidentRuntime(
            other,
            ServeCommand.runner(withChatty, settings, Journald.OFF),
            () -> {},
            said::add,
            Duration.ofMillis(300));
    stalling.start();
    Path vfDriver = root.resolve("sys/bus/pci/devices/0000:03:02.1/driver");
    try (SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(other))) {
      silent.write(
          ByteBuffer.wrap("guesthook/1 501 pre-start -\n".getBytes(StandardCharsets.UTF_8)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (said.stream().noneMatch(line -> line.contains("unread"))
          && System.nanoTime() < deadline) {
        Thread.sleep(100); // the phase ends, and serve says it let the client go
      }
      String cut = ClientReads.toTheEnd(silent);

      assertTrue(said.stream().anyMatch(line -> line.contains("unread")), said::toString);
      assertFalse(cut.contains("\nX "), "the client got no exit line");
      assertTrue(journalIsEmpty("501"), "the guest's journal holds nothing any more");
      assertNotEquals(
          "vfio-pci",
          Files.exists(vfDriver, LinkOption.NOFOLLOW_LINKS)
              ? Files.readSymbolicLink(vfDriver).getFileName().toString()
              : "none",
          "the VF went back to its own driver");
      assertEquals("off", Files.readString(root.resolve("sys/chatty")), "the hooks' undo ran");
      assertEquals(vfsBefore, Files.readString(numVfs), "as after any failed pre-start");
    } finally {
      stalling.close();
    }
    Run retried = client(env(), "501", "pre-start");
    assertEquals(0, retried.exit(), retried::out);
  }

  private boolean journalIsEmpty(String vmid) throws IOException {
    Path journal = root.resolve("var/lib/guesthook/journal/" + vmid + ".jsonl");
    return !Files.exists(journal) || Files.readString(journal).isBlank();
  }

  @Test
  void aFailedPreStartIsExitOneThroughTheClient() throws Exception {
    Run run = client(env(), "503", "pre-start");
    assertEquals(1, run.exit(), run::out);
    assertTrue(run.out().contains("vf 70 out of range"), run::out);
  }

  @Test
  void badArgumentsAreAnsweredAsErrors() throws Exception {
    Run run = client(env(), "12x", "pre-start");
    assertEquals(2, run.exit(), run::out);
    assertEquals(
        "guesthook: error: invalid vmid '12x': expected an integer from 100 to 999999999\n",
        run.out());
  }

  @Test
  void everyGuestsHooksCanBeLoadedBeforeItsFirstPhase() throws Exception {
    assertEquals(
        List.of("501", "502", "503", "504"),
        Files.list(root.resolve("etc/pve/qemu-server"))
            .map(f -> f.getFileName().toString().replace(".conf", ""))
            .sorted()
            .toList());
    assertEquals(4, engine.preloadHooks());
    Run run = client(env(), "504", "pre-start");
    assertEquals(0, run.exit(), run::out);
  }

  @Test
  void aSecondServeIsRefusedBeforeItActsAndTheFirstKeepsAnswering() throws Exception {
    Map<String, String> before = HostTree.snapshotOf(root);
    Cli.Result second =
        Cli.run(
            List.of("--root", root.toString(), "--simulate", "--hooks", STOCK.toString(), "serve"));

    assertEquals(2, second.exitCode(), second::toString);
    assertTrue(
        second.err().contains("another guesthook serve is listening on " + socket),
        second::toString);
    assertEquals(before, HostTree.snapshotOf(root), "a refused serve changes nothing");
    Run run = client(env(), "501", "pre-start");
    assertEquals(0, run.exit(), run::out);
  }

  @Test
  void theSocketIsForItsOwnerOnly() throws Exception {
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
  }

  @Test
  void withoutTheRuntimeTheClientFallsBackToTheOneShotPath() throws Exception {
    Path oneShot = base.resolve("oneshot.sh");
    // The one-shot runtime refuses GUESTHOOK_* variables it does not know: the client's own are not
    // passed on.
    Files.writeString(
        oneShot, "#!/bin/sh\necho \"one-shot $*\"\nenv | grep '^GUESTHOOK_'\nexit 7\n");
    Files.setPosixFilePermissions(oneShot, PosixFilePermissions.fromString("rwxr-xr-x"));
    runtime.close();
    Run run =
        client(
            Map.of(
                "GUESTHOOK_SOCKET",
                socket.toString(),
                "GUESTHOOK_ONESHOT",
                oneShot.toString(),
                "GUESTHOOK_LOG_LEVEL",
                "debug"),
            "501",
            "pre-start");
    assertEquals(7, run.exit(), run::out);
    assertEquals("one-shot 501 pre-start\nGUESTHOOK_LOG_LEVEL=debug\n", run.out());
  }

  /**
   * As sh's exec: 127 when the one-shot path is missing, with the fix said, or even with nowhere to
   * say so.
   */
  @Test
  void aMissingOneShotPathExits127EvenWithStderrClosed() throws Exception {
    runtime.close();
    Path missing = base.resolve("no-such-oneshot");
    Map<String, String> env =
        Map.of("GUESTHOOK_SOCKET", socket.toString(), "GUESTHOOK_ONESHOT", missing.toString());
    Run said = client(env, "501", "pre-start");
    assertEquals(127, said.exit(), said::out);
    assertEquals(
        "guesthook-hookscript: no resident runtime took the phase ("
            + socket
            + "), and the one-shot path cannot run: "
            + missing
            + ": No such file or directory (fix: set GUESTHOOK_ONESHOT to the guesthook launcher,"
            + " or install the package)\n",
        said.out());
    Run closed =
        process(List.of("sh", "-c", "exec \"$0\" 501 pre-start 2>&-", CLIENT.toString()), env);
    assertEquals(127, closed.exit(), closed::out);
  }

  @Test
  void aRuntimeThatTakesNoConnectionIsGivenUpAfterAboutASecond() throws Exception {
    Path oneShot = oneShotSaying7();
    Path stuck = base.resolve("stuck.sock");
    List<SocketChannel> queued = new ArrayList<>();
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(stuck), 1); // listens, never accepts: its queue fills
      try {
        while (queued.size() < 64) {
          SocketChannel waiting = SocketChannel.open(StandardProtocolFamily.UNIX);
          queued.add(waiting);
          waiting.configureBlocking(false);
          waiting.connect(UnixDomainSocketAddress.of(stuck));
        }
      } catch (IOException queueFull) {
        // The next connect would block.
      }
      long start = System.nanoTime();
      Run run =
          client(
              Map.of("GUESTHOOK_SOCKET", stuck.toString(), "GUESTHOOK_ONESHOT", oneShot.toString()),
              "501",
              "pre-start");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(7, run.exit(), run::out);
      assertEquals("one-shot 501 pre-start\n", run.out());
      assertTrue(millis >= 900 && millis < 10_000, "gave up after " + millis + " ms");
    } finally {
      for (SocketChannel channel : queued) {
        channel.close();
      }
    }
  }

  /**
   * {@code B}: the runtime dropped the connection before it read the request (too many waiting to
   * send), so nothing ran and the one-shot path may run the phase; anything else without an exit
   * line still fails it, as the phase may have run in part.
   */
  @Test
  void aRuntimeThatSaysItTookNothingSendsTheClientToTheOneShotPath() throws Exception {
    Path oneShot = oneShotSaying7();
    Path busy = base.resolve("busy.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(busy));
      Thread answering = answeringOnce(server, "B\n");
      Run run =
          client(
              Map.of("GUESTHOOK_SOCKET", busy.toString(), "GUESTHOOK_ONESHOT", oneShot.toString()),
              "501",
              "pre-start");
      answering.join(10_000);
      assertEquals(7, run.exit(), run::out);
      assertEquals("one-shot 501 pre-start\n", run.out());
    }
  }

  /**
   * A socket another user put where the runtime's should be (its folder was left writable) could
   * answer a pre-start with success, nothing run: the client talks only to a socket of its own
   * user, and runs the one-shot path otherwise.
   */
  @Test
  void theClientTalksToNoSocketOfAnotherUser() throws Exception {
    Path oneShot = oneShotSaying7();
    Path planted = base.resolve("planted.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(planted));
      Files.setOwner(
          planted,
          planted.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
      answeringOnce(server, "X 0\n");

      Run run =
          client(
              Map.of(
                  "GUESTHOOK_SOCKET", planted.toString(), "GUESTHOOK_ONESHOT", oneShot.toString()),
              "501",
              "pre-start");

      assertEquals(7, run.exit(), run::out);
      assertEquals("one-shot 501 pre-start\n", run.out());
    }
  }

  /**
   * With GUESTHOOK_ROOT set (a sandbox) and no GUESTHOOK_SOCKET, the client asks the runtime under
   * that root: it used to ask the node's own runtime at /run/guesthook, which would have run a
   * sandbox's phase on the host.
   */
  @Test
  void theClientLooksForTheRuntimeUnderGuesthookRoot() throws Exception {
    Path oneShot = oneShotSaying7();

    Run run =
        client(
            Map.of("GUESTHOOK_ROOT", root + "/", "GUESTHOOK_ONESHOT", oneShot.toString()),
            "501",
            "pre-start");

    assertEquals(0, run.exit(), run::out);
    assertTrue(
        run.out().startsWith("guesthook: VM 501 pre-start (start) on pve-sandbox"), run::out);
  }

  /**
   * A stand-in runtime on {@code server}: answers the first connection with {@code text} and closes
   * it, on a daemon thread (a test whose client never asks closes the server at its end). A test
   * fails on what its client printed, not here.
   */
  private static Thread answeringOnce(ServerSocketChannel server, String text) {
    Thread answering =
        new Thread(
            () -> {
              try (SocketChannel peer = server.accept()) {
                peer.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
              } catch (IOException e) {
                // closed unasked, or the client went: its run says what happened
              }
            });
    answering.setDaemon(true);
    answering.start();
    return answering;
  }

  /** A stand-in one-shot path: says it ran, with its arguments, and exits 7. */
  private Path oneShotSaying7() throws IOException {
    Path oneShot = base.resolve("oneshot.sh");
    Files.writeString(oneShot, "#!/bin/sh\necho \"one-shot $*\"\nexit 7\n");
    Files.setPosixFilePermissions(oneShot, PosixFilePermissions.fromString("rwxr-xr-x"));
    return oneShot;
  }

  @Test
  void aPeerOfAnotherUserIsRefused() throws Exception {
    // As if the modes were wrong: the socket and the folders to it open to every user.
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    for (Path folder : List.of(base, root, root.resolve("run"), root.resolve("run/guesthook"))) {
      Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    // Not the hookscript client, which talks to no socket of another user: a bare peer that
    // sends the request and exits with the answer's exit code.
    String peer =
        "socket(my $s, 1, 1, 0) or die; connect($s, pack('S Z*', 1, $ARGV[0])) or die \"$!\";"
            + " syswrite($s, \"guesthook/1 501 pre-start -\\n\"); while (<$s>) { exit $1 if /^X"
            + " (\\d+)/ } exit 99";
    List<String> argv =
        List.of(
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "perl",
            "-e",
            peer,
            socket.toString());
    Run run = process(argv, env());
    assertEquals(2, run.exit(), run::out);
    assertTrue(
        Files.notExists(root.resolve("sys/bus/pci/devices/0000:03:02.1")),
        "nothing was done for the other user");
  }

  @Test
  void aChangedHookFileIsLoadedAgainForTheNextPhase() throws Exception {
    Path hook =
        serveOwnHooks("hook('hello') { on('pre-start') { ev -> log.info 'first version' } }\n");
    assertTrue(client(env(), "502", "pre-start").out().contains("[hello] first version"));
    Files.writeString(
        hook, "hook('hello') { on('pre-start') { ev -> log.info 'second version, longer' } }\n");
    Run again = client(env(), "502", "pre-start");
    assertTrue(again.out().contains("[hello] second version, longer"), again::out);
  }

  @Test
  void aChangedHookFileThatNoLongerLoadsLeavesItsPreviousVersionActive() throws Exception {
    Path hook =
        serveOwnHooks("hook('hello') { on('pre-start') { ev -> log.info 'working version' } }\n");
    assertTrue(client(env(), "502", "pre-start").out().contains("[hello] working version"));
    Files.writeString(hook, "hook('hello') { on('pre-start') { ev -> log.info 'half-saved\n");
    Run broken = client(env(), "502", "pre-start");
    assertEquals(0, broken.exit(), broken::out);
    assertTrue(broken.out().contains("[hello] working version"), broken::out);
    assertTrue(
        broken.out().contains("guesthook: warning: " + hook + ": the changed file does not load ("),
        broken::out);
    assertTrue(
        broken.out().contains("hello.groovy:1:50: Unexpected character"),
        "the error names the file, line and column: " + broken.out());
    Files.writeString(
        hook, "hook('hello') { on('pre-start') { ev -> log.info 'fixed version' } }\n");
    assertTrue(client(env(), "502", "pre-start").out().contains("[hello] fixed version"));
  }

  @Test
  void eachLineOfAPhaseIsAlsoAJournalEntryWithTheGuestThePhaseAndTheHook() throws Exception {
    Path journalSocket = root.resolve(Journald.SOCKET);
    List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (JournalSocket journal = JournalSocket.bind(journalSocket);
        Journald journald = Journald.at(journalSocket, warnings::add)) {
      serveOwnHooks(
          "hook('hello') { on('pre-start') { ev -> log.info 'one line'; log.warn 'first\\nsecond' } }\n",
          journald);
      Run run = client(env(), "502", "pre-start");
      assertEquals(0, run.exit(), run::out);
      assertTrue(
          run.out().contains("  [hello] one line\n  [hello] warn: first\n  [hello] warn: second\n"),
          "the task log is as it was: " + run.out());
      List<Map<String, String>> entries =
          journal.entriesUntil(entry -> "pre-start ok".equals(entry.get("MESSAGE")));
      assertEquals(
          List.of(
              "6 VMID=502 PHASE=pre-start: VM 502 pre-start (start) on pve-sandbox: 1 hook",
              "6 VMID=502 PHASE=pre-start HOOK=hello: [hello] one line",
              "4 VMID=502 PHASE=pre-start HOOK=hello: [hello] first\nsecond",
              "6 VMID=502 PHASE=pre-start HOOK=hello: ok       hello (N ms)",
              "6 VMID=502 PHASE=pre-start: pre-start ok"),
          entries.stream().map(ServeTest::shown).toList());
      assertTrue(
          entries.stream().allMatch(entry -> "guesthook".equals(entry.get("SYSLOG_IDENTIFIER"))),
          entries::toString);
    }
    assertEquals(List.of(), warnings);
  }

  @Test
  void aHookThatLoopsForeverLeavesNoWorkerSpinningAfterItsTimeout() throws Exception {
    serveOwnHooks(
        """
        hook('hello') {
          timeout 1
          on('pre-start') { ev ->
            log.info "on thread ${Thread.currentThread().id}"
            long x = 0
            while (true) { try { x++ } catch (Exception e) { } }
          }
        }
        """);
    for (int run = 0; run < 2; run++) { // a second runaway used to stack on the first
      Run start = client(env(), "502", "pre-start");
      assertEquals(1, start.exit(), start::out);
      assertTrue(start.out().contains("no answer within 1.0 s; abandoned"), start::out);
      List<Long> threads = HookThreads.namedIn(start.out());
      assertEquals(1, threads.size(), start::out);
      HookThreads.assertLetGoWithinASecond(threads.get(0));
    }
  }

  /**
   * An entry as the test compares it: priority, the phase's fields, and the message (durations
   * vary).
   */
  static String shown(Map<String, String> entry) {
    return entry.get("PRIORITY")
        + " VMID="
        + entry.get("VMID")
        + " PHASE="
        + entry.get("PHASE")
        + (entry.containsKey("HOOK") ? " HOOK=" + entry.get("HOOK") : "")
        + ": "
        + entry.get("MESSAGE").replaceAll("\\(\\d+ ms\\)", "(N ms)");
  }

  /**
   * Restarts the runtime on a hook folder of the test's own with one hook file; returns the file.
   */
  private Path serveOwnHooks(String source) throws Exception {
    return serveOwnHooks(source, Journald.OFF);
  }

  /** The same, its phases' lines going to that journal too. */
  Path serveOwnHooks(String source, Journald journald) throws Exception {
    runtime.close();
    Path hooks = Files.createDirectories(base.resolve("own-hooks"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path hook = hooks.resolve("hello.groovy");
    Files.writeString(hook, source);
    // VM 502's own settings are for the stock sriov-vf hook, which this runtime does not load.
    Files.delete(root.resolve("etc/pve/guesthook/502.yaml"));
    JsonObject flags =
        new JsonObject()
            .put("root", root.toString())
            .put("simulate", true)
            .put("hook-dirs", new JsonArray().add(hooks.toString()));
    Settings settings = Engines.settings(vertx, flags, hooks);
    runtime =
        new ResidentRuntime(
            socket,
            ServeCommand.runner(
                new Engine(vertx, settings, SimulatedHost.sandbox(root), Clock.systemUTC())
                    .resident(),
                settings,
                journald),
            line -> {});
    runtime.start();
    return hook;
  }
}
