package dev.guesthook.core.hookhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.Dispatcher;
import dev.guesthook.core.dispatch.HookLine;
import dev.guesthook.core.dispatch.HookLog;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.core.dispatch.PhaseRequest;
import dev.guesthook.core.event.Phase;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.sim.Faults;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Events;
import dev.guesthook.testsupport.HookThreads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hook files compiled through the real loader and run by the dispatcher on a sandbox. */
class HookTrapsTest {
  static final String NUMVFS = "sys/bus/pci/devices/0000:03:00.0/sriov_numvfs";

  @TempDir Path base;
  Path root;
  Path hooks;
  final List<String> output = new CopyOnWriteArrayList<>();

  @BeforeEach
  void sandbox() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    hooks = Files.createDirectories(base.resolve("hooks"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void closuresMadeInALoopEachSeeTheirOwnIteration() throws Exception {
    hookFile(
        "loops.groovy",
        """
        hook('loops') {
          on('pre-start') { ev ->
            List<Map> plan = [[pf: 'a'], [pf: 'b'], [pf: 'c']]
            for (Map p : plan) {
              undo("restore ${p.pf}") { log.info "undo acts on ${p.pf}" }
            }
            List<Closure> later = []
            for (p in plan) { later << { p.pf } }
            for (int i = 0; i < 3; i++) { later << { i } }
            for (a in [1, 2]) { for (String b : ['x', 'y']) { later << { "$a$b" } } }
            [1, 2].each { n -> for (m in [n, n * 10]) { later << { m } } }
            later.addAll(fromAMethod([7, 8]))
            log.info "closures see ${later*.call()}"
            throw new IllegalStateException('a later step failed')
          }
        }

        List<Closure> fromAMethod(List xs) {
          List<Closure> out = []
          for (x in xs) { out << { x } }
          return out
        }
        """);
    DispatchResult result = preStart();
    assertTrue(result.rolledBack(), result::toString);
    assertEquals(
        List.of(
            "closures see [a, b, c, 0, 1, 2, 1x, 1y, 2x, 2y, 1, 10, 2, 20, 7, 8]",
            "undo acts on c",
            "undo acts on b",
            "undo acts on a"),
        output);
  }

  /**
   * A hook's {@code "${...}"} is made by guesthook's own code where its values are plain (ids,
   * numbers, enums): it must stay Groovy's GString in every way a hook can tell. The expected lines
   * are what plain Groovy logs for this file.
   */
  @Test
  void anInterpolationIsGroovysGStringInEveryWayAHookCanTell() throws Exception {
    hookFile(
        "texts.groovy",
        """
        import groovy.transform.CompileStatic

        hook('texts') {
          on('pre-start') { ev ->
            Set<String> guests = ["${ev.vmid}"] as Set
            def vm = "vm ${ev.vmid}"
            log.info "${vm.values.toList()} ${vm.strings.toList()} ${vm.valueCount} ${guests.contains('501')}"
            log.info(("${vm} " + 'and ' + "${ev.phase}!").toString() + ' ' + (vm as Writable))
            log.info "${2.5G} ${1.0d} ${'x' as char} ${null} ${true} ${Phase.PRE_START} ${-7L}"
            List seen = []
            def listed = "seen ${seen}"
            int n = 1
            def lazy = "n is ${-> n}"
            seen << 'later'
            n = 2
            log.info "$listed; $lazy; ${[a: 1]}; ${[1, 2] as int[]}; ${"in ${"${ev.vmid}"}"}"
            log.info "${which(vm)} ${padded(ev.vmid.toString())} ${vm == 'vm 501'} ${vm.equals('vm 501')}"
            String typed = "t${ev.vmid}"
            log.info "${typed.getClass().simpleName} ${named(ev.vmid).getClass().simpleName} ${typed == named(ev.vmid)}"
            def path = "/sys/vm/${ev.vmid}/driver"
            path.values[0] = 'other'
            String other = path
            path.values[0] = [a: 1]
            log.info "${other} ${path}"
            try { assert "vm${ev.vmid}" == 'vm502' : "not ${ev.vmid}" } catch (AssertionError e) { log.info e.message }
            Mode.ON.label = 'before'
            def mode = "mode ${Mode.ON}"
            log.info mode.toString()
            Mode.ON.label = 'after'
            log.info mode.toString()
          }
        }

        String named(vmid) { "t${vmid}" }

        String which(CharSequence text) { 'a CharSequence' }
        String which(String text) { 'a String' }

        @CompileStatic
        String padded(String vmid) { "${vmid}".padLeft(5, '.') + "/${vmid}".length() }

        enum Mode {
          ON
          String label
          String toString() { label }
        }
        """);
    DispatchResult result = preStart();
    assertEquals(0, result.exitCode(false), result::toString);
    assertEquals(
        List.of(
            "[501] [vm , ] 1 false",
            "vm 501 and pre-start! vm 501",
            "2.5 1.0 x null true pre-start -7",
            "seen [later]; n is 2; [a:1]; [1, 2]; in 501",
            "a CharSequence ..5014 true false",
            "String String true",
            "/sys/vm/other/driver /sys/vm/[a:1]/driver",
            "not 501. Expression: (vm${ev.vmid} == vm502)",
            "mode before",
            "mode after"),
        output);
  }

  @Test
  void aStaticallyCompiledMisuseOfAnInterpolationIsRefusedAsGroovyRefusesIt() throws Exception {
    hookFile(
        "typed.groovy",
        """
        import groovy.transform.CompileStatic

        hook('typed') { on('pre-start') { ev -> log.info "vfs ${vfs(4)}" } }

        @CompileStatic
        int vfs(int wanted) {
          int count = "${wanted}"
          count
        }
        """);
    assertTrue(
        onlyErrorOfLoading()
            .contains(
                "typed.groovy:7:15: [Static type checking] - Cannot assign value of type"
                    + " groovy.lang.GString to variable of type int"),
        this::toString);
  }

  @Test
  void aClosureOverALoopVariableTheBodyChangesIsRefusedWithTheLineAndWhatToWrite()
      throws Exception {
    hookFile(
        "counter.groovy",
        """
        hook('counter') {
          on('pre-start') { ev ->
            for (int i = 0; i < 4; i++) {
              i++
              undo { log.info "undo ${i}" }
            }
          }
        }
        """);
    assertEquals(
        hooks
            + "/counter.groovy:3:5: a closure in this for loop uses 'i', which the loop changes, so every"
            + " closure would see its value after the loop, not this iteration's; loop with for (i in 0..<n) instead"
            + " (each iteration then has its own i), or copy it in the body (def current = i) and use that in the closure",
        onlyErrorOfLoading());
  }

  @Test
  void aStaticFieldIsRefusedWithTheLineAsEveryGuestWouldShareIt() throws Exception {
    hookFile(
        "counter.groovy",
        """
        import groovy.transform.Field
        @Field static int started = 0
        hook('counter') {
          on('pre-start') { ev -> started++ }
        }
        """);
    assertEquals(
        hooks
            + "/counter.groovy:2:1: static field 'started' would be shared by every guest whose hooks"
            + " hold this text in a resident runtime (guesthook serve keeps one class per hook"
            + " text): keep a guest's values in a script-level variable (def started = ...) or in"
            + " state, and make constants static final numbers, strings or booleans",
        onlyErrorOfLoading());
  }

  @Test
  void aStaticFieldOfAClassTheFileDeclaresIsRefusedToo() throws Exception {
    hookFile(
        "seen.groovy",
        """
        class Seen {
          static final List<String> vms = []
        }
        hook('seen') {
          on('pre-start') { ev -> Seen.vms << ev.vmid.toString() }
        }
        """);
    String error = onlyErrorOfLoading();
    assertTrue(error.startsWith(hooks + "/seen.groovy:2:3: static field 'vms'"), error);
  }

  /**
   * A method or script-level variable named like something guesthook gives hooks hid it in the
   * whole file: a handler asking for its settings got the file's own method's answer.
   */
  @Test
  void aFileMethodOrVariableNamedLikeTheScopesOwnIsRefusedWithTheLine() throws Exception {
    hookFile(
        "own.groovy",
        """
        def settings() { [limit: 1] }
        hook('own') {
          on('pre-start') { ev -> log.info "limit ${settings().limit}" }
        }
        """);
    assertEquals(
        hooks
            + "/own.groovy:1:1: method 'settings' has the name of guesthook's own 'settings' in"
            + " hooks' scope, which it would hide everywhere in this file; give it a name of its"
            + " own (such as 'ownSettings')",
        onlyErrorOfLoading());

    hookFile("own.groovy", "def log = []\nhook('own') { on('pre-start') { ev -> log << 1 } }\n");
    assertTrue(
        onlyErrorOfLoading().startsWith(hooks + "/own.groovy:1:5: variable 'log' has the name"),
        this::onlyErrorOfLoading);
  }

  @Test
  void helpersWithNamesOfTheirOwnAndLocalVariablesInHandlersAreAllowed() throws Exception {
    hookFile(
        "own.groovy",
        """
        def limitOf(ev) { 4 }
        def seen = []
        hook('own') {
          on('pre-start') { ev -> def state = limitOf(ev); seen << state; log.info "${seen}" }
        }
        """);
    assertEquals(List.of(), load().errors());
  }

  @Test
  void staticFinalConstantsAreAllowed() throws Exception {
    hookFile(
        "limits.groovy",
        """
        import groovy.transform.Field
        @Field static final int LIMIT = 4
        class Names { static final String PREFIX = 'vf'; static final boolean ON = true }
        enum Mode { FAST, SAFE }
        hook('limits') {
          on('pre-start') { ev -> log.info "${Names.PREFIX}${LIMIT} ${Names.ON} ${Mode.SAFE}" }
        }
        """);
    assertEquals(List.of(), load().errors());
  }

  @Test
  void aHookThatLoopsForeverLetsGoOfItsWorkerWithinASecondOfItsTimeout() throws Exception {
    hookFile(
        "spin.groovy",
        """
        hook('spin') {
          timeout 1
          on('pre-start') { ev ->
            log.info "on thread ${Thread.currentThread().id}"
            long x = 0
            while (true) {
              try {
                while (true) {        // never blocks but now and then: its interrupt is caught and cleared
                  x++
                  if (x % 100000 == 0) Thread.sleep(1)
                }
              } catch (Exception e) {
                // a hook that retries whatever failed
              }
            }
          }
        }
        """);
    DispatchResult result = preStart();
    assertEquals(HookOutcome.Status.TIMED_OUT, result.hooks().get(0).status(), result::toString);
    List<Long> threads = HookThreads.namedIn(String.join("\n", output));
    assertEquals(1, threads.size(), output::toString);
    HookThreads.assertLetGoWithinASecond(threads.get(0));
  }

  @Test
  void aHookThatWakesAfterItsTimeoutCannotTouchTheHost() throws Exception {
    hookFile(
        "late.groovy",
        """
        hook('late') {
          timeout 1
          on('pre-start') { ev ->
            try { Thread.sleep(5000) } catch (InterruptedException ignored) { }
            try {
              write '/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs', '4'
              log.info 'the late write went through'
            } catch (HostException e) {
              log.info "late write: ${e.errno()}: ${e.message}"
            }
          }
        }
        """);
    DispatchResult result = preStart();
    assertEquals(HookOutcome.Status.TIMED_OUT, result.hooks().get(0).status(), result::toString);
    awaitOutput();
    assertEquals(
        List.of(
            "late write: ECANCELED: refused write /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs:"
                + " hook 'late' was abandoned after its timeout; the phase went on without it"),
        output);
    assertEquals("0", Files.readString(root.resolve(NUMVFS)).trim(), "the sandbox is as it was");
  }

  /**
   * A thread a hook starts and does not wait for outlives the handler: its write (here: the VFs the
   * guest was given, taken away) came after the phase had answered and the guest's lock was free,
   * recorded nowhere. The host is the handler's while it runs (and its undo steps', in a rollback);
   * afterwards its calls are refused.
   */
  @Test
  void aThreadAHookLeftRunningCannotTouchTheHostAfterTheHookEnded() throws Exception {
    hookFile(
        "leaves-a-thread.groovy",
        """
        hook('leaves-a-thread') {
          on('pre-start') { ev ->
            def joined = Thread.start { write '/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs', '2' }
            joined.join()
            Thread.start {
              Thread.sleep(300)
              try {
                write '/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs', '0'
                log.info 'the late write took the VFs away'
              } catch (HostException e) {
                log.info "late write: ${e.errno()}: ${e.message}"
              }
              try {
                undo('late undo') { write '/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs', '0' }
              } catch (IllegalStateException e) {
                log.info "late undo: ${e.message}"
              }
            }
          }
        }
        """);
    DispatchResult result = preStart();
    assertEquals(HookOutcome.Status.OK, result.hooks().get(0).status(), result::toString);
    assertEquals(
        "2",
        Files.readString(root.resolve(NUMVFS)).trim(),
        "a thread the handler waited for is part of it");
    awaitOutput(2);
    assertEquals(
        List.of(
            "late write: ECANCELED: refused write /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs:"
                + " hook 'leaves-a-thread' has ended; a thread it started and did not wait for"
                + " cannot use the host after it (fix: join the thread before the handler returns)",
            "late undo: undo step 'late undo' refused: hook 'leaves-a-thread' has ended; a thread it"
                + " started and did not wait for cannot use the host after it (fix: join the thread"
                + " before the handler returns)"),
        output);
    assertEquals("2", Files.readString(root.resolve(NUMVFS)).trim(), "nothing changed after it");
  }

  /**
   * A write a left-running thread began while the handler ran (sysfs writes take seconds on some
   * devices) landed after the phase answered, in no recording. The phase now waits for it: it ends
   * inside the phase, and the hook's outcome lists it.
   */
  @Test
  void aWriteUnderWayWhenTheHandlerReturnsEndsInsideThePhaseAndIsRecorded() throws Exception {
    Faults.ofSandbox(root).orElseThrow().delayWrite("/" + NUMVFS, 1500, 1);
    hookFile(
        "slow-thread.groovy",
        """
        hook('slow-thread') {
          on('pre-start') { ev ->
            def running = new java.util.concurrent.CountDownLatch(1)
            Thread.start {
              running.countDown()
              write '/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs', '2'
            }
            running.await() // on a loaded machine the thread may not have run 200 ms later
            Thread.sleep(200)
          }
        }
        """);
    DispatchResult result = preStart();
    assertEquals(
        "2", Files.readString(root.resolve(NUMVFS)).trim(), "written when the phase answers");
    assertEquals(
        List.of("WRITE /" + NUMVFS),
        result.hooks().get(0).interactions().stream()
            .map(i -> i.kind() + " " + i.target())
            .toList(),
        result::toString);
  }

  /**
   * Undo steps may use threads they wait for (VFs put back in parallel): the rollback's host is
   * theirs while the step runs. (The first version of the left-running-thread rule refused them,
   * and the rollback left the VFs in place, reporting the joined thread's step ok.)
   */
  @Test
  void anUndoStepsOwnThreadsActForItWhileItRuns() throws Exception {
    hookFile(
        "undo-threads.groovy",
        """
        hook('undo-threads') {
          order 10
          on('pre-start') { ev ->
            write '/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs', '2'
            undo('with a joined thread') {
              Thread.start { write '/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs', '0' }.join()
            }
            undo('with a parallel stream') {
              (1..8).parallelStream().forEach { read '/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs' }
              log.info 'read in parallel'
            }
          }
        }
        hook('fails') {
          order 20
          on('pre-start') { ev -> throw new IllegalStateException('a later hook failed') }
        }
        """);
    DispatchResult result = preStart();
    assertTrue(result.rolledBack(), result::toString);
    assertEquals(List.of("read in parallel"), output);
    assertEquals("0", Files.readString(root.resolve(NUMVFS)).trim(), "the rollback put it back");
  }

  /**
   * The device ledger (the journal of which guest holds which device, and the device locks) is
   * written by guesthook itself, not through the hook's host: a thread left running claimed a VF in
   * it after the phase answered, and the next guest's start failed on that VF. A device operation
   * is one host call of the hook's, refused as any other once the hook has ended.
   */
  @Test
  void aThreadAHookLeftRunningCannotClaimADeviceAfterTheHookEnded() throws Exception {
    hookFile(
        "claims-late.groovy",
        """
        hook('claims-late') {
          on('pre-start') { ev ->
            def pf = pciAddress('0000:03:00.0')
            sriov.ensureAtLeast(pf, 2)
            def vf = sriov.vf(pf, 1)
            Thread.start {
              Thread.sleep(300)
              try {
                sriov.claim(vf, [] as Set)
                log.info 'claimed late'
              } catch (HostException e) {
                log.info "late claim: ${e.errno()}: ${e.message}"
              }
            }
          }
        }
        """);
    DispatchResult result = preStart();
    assertEquals(HookOutcome.Status.OK, result.hooks().get(0).status(), result::toString);
    awaitOutput();
    assertEquals(
        List.of(
            "late claim: ECANCELED: refused device operation on 0000:03:00.0: hook 'claims-late'"
                + " has ended; a thread it started and did not wait for cannot use the host after"
                + " it (fix: join the thread before the handler returns)"),
        output);
  }

  /**
   * An undo step the rollback gives up on closes its hook's host at once: the step's window stayed
   * open until its thread returned, which a wait no interrupt reaches never does, and a thread the
   * handler left running wrote through it after the phase answered (adversary pass).
   */
  @Test
  void anUndoStepGivenUpOnClosesItsHooksHostAtOnce() throws Exception {
    hookFile(
        "stuck-undo.groovy",
        """
        import java.util.concurrent.CompletableFuture

        hook('stuck-undo') {
          order 10
          timeout 1
          on('pre-start') { ev ->
            write '/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs', '2'
            def never = new CompletableFuture()
            undo('waits for good') { never.join() }
            Thread.start {
              Thread.sleep(2500)
              try {
                write '/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs', '0'
                log.info 'the late write went through'
              } catch (HostException e) {
                log.info "late write: ${e.errno()}"
              } finally {
                never.complete(null)
              }
            }
          }
        }
        hook('fails') {
          order 20
          on('pre-start') { ev -> throw new IllegalStateException('a later hook failed') }
        }
        """);
    DispatchResult result = preStart();
    assertTrue(result.rolledBack(), result::toString);
    awaitOutput();
    assertEquals(List.of("late write: ECANCELED"), output);
    assertEquals("2", Files.readString(root.resolve(NUMVFS)).trim(), "nothing changed after it");
  }

  /**
   * A device operation a left-running thread has under way when its hook times out is given up on
   * as the handler's own would be: what it waits in ended (by a mark, not an interrupt), its kernel
   * write given up on, its next calls refused; the outcome says the handler had returned.
   */
  @Test
  void aDeviceOperationUnderWayAtTheHooksTimeoutIsGivenUpOn() throws Exception {
    Faults.ofSandbox(root).orElseThrow().delayWrite("/" + NUMVFS, 3000, 1);
    hookFile(
        "slow-operation.groovy",
        """
        hook('slow-operation') {
          timeout 1
          on('pre-start') { ev ->
            Thread.start {
              try {
                sriov.ensureAtLeast(pciAddress('0000:03:00.0'), 2)
                log.info 'the operation went through'
              } catch (Exception e) {
                log.info "operation: ${e.class.simpleName}"
              }
            }
            Thread.sleep(100)
          }
        }
        """);
    DispatchResult result = preStart();
    HookOutcome outcome = result.hooks().get(0);
    assertEquals(HookOutcome.Status.TIMED_OUT, outcome.status(), result::toString);
    assertTrue(
        outcome
            .message()
            .startsWith(
                "its handler returned, but calls its threads had begun did not end within 1.0 s;"
                    + " abandoned"),
        outcome::message);
    awaitOutput();
    assertEquals(List.of("operation: HostException"), output);
  }

  private void hookFile(String name, String source) throws Exception {
    Path file = hooks.resolve(name);
    Files.writeString(file, source);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
  }

  /** Loads the hook folder, which must give exactly one error: its message. */
  /**
   * Outsider pass: a hook that no longer parsed was reported with the rest of its file quoted, 900
   * characters on one task log line. The quote is now the first line of it.
   */
  @Test
  void aSyntaxErrorQuotesOneLineOfTheSourceNotTheRestOfTheFile() throws Exception {
    hookFile(
        "broken.groovy",
        """
        hook('broken') {
          order 20
          description 'a hook with a stray parenthesis'
          on('pre-start') { ev ->
            log.info( "started"
            write '/sys/x', '1'
          }
        }
        """);

    String error = onlyErrorOfLoading();

    assertEquals(hooks + "/broken.groovy:7:3: Unexpected input: '('broken') { ...'", error);
  }

  private String onlyErrorOfLoading() {
    HookCatalog catalog = load();
    assertEquals(1, catalog.errors().size(), catalog::toString);
    return catalog.errors().get(0).message();
  }

  private HookCatalog load() {
    return new HookLoader(List.of(hooks), base.resolve("cache"), Duration.ofSeconds(5))
        .load(Optional.empty());
  }

  private DispatchResult preStart() throws Exception {
    HookCatalog catalog = load();
    assertEquals(List.of(), catalog.errors());
    LifecycleEvent event = Events.of("501", Phase.PRE_START);
    PhaseRequest request =
        new PhaseRequest(
            event,
            SimulatedHost.sandbox(root),
            Duration.ofSeconds(5),
            HookLog.Level.INFO,
            (HookLine line) -> output.add(line.text()),
            name -> Map.of(),
            false);
    return Dispatcher.of(catalog.hooks())
        .dispatch(request)
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  /** A hook abandoned at its timeout may still log after the phase's result is in. */
  private void awaitOutput() throws InterruptedException {
    awaitOutput(1);
  }

  private void awaitOutput(int lines) throws InterruptedException {
    long deadline = System.nanoTime() + 3_000_000_000L;
    while (output.size() < lines && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }
}
