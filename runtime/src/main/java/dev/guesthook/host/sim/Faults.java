package dev.guesthook.host.sim;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.host.CallsGivenUp;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.tree.FileTree;
import dev.guesthook.host.tree.MutableTree;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Faults to inject into the simulated kernel: make a write fail with an errno or hang, make a
 * command fail, make a device vanish right after a write, end the process mid-change, cut a line of
 * guesthook's own journal short or fail it with ENOSPC. They are kept in the host tree ({@code
 * /.simulator/faults.json}) so that a fault set up by a test reaches a guesthook process it starts,
 * and each fires a given number of times.
 */
public final class Faults {
  static final HostPath FILE = Sysfs.PRIVATE.resolve("faults.json");
  private static final HostPath RELEASED = Sysfs.PRIVATE.resolve("hangs-released");
  private static final long HANG_POLL_MILLIS = 25;
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final Map<String, String> STRERROR =
      Map.of(
          "EBUSY", "Device or resource busy",
          "EIO", "Input/output error",
          "ENOSPC", "No space left on device",
          "EINVAL", "Invalid argument",
          "ENODEV", "No such device",
          "EPERM", "Operation not permitted",
          "EACCES", "Permission denied",
          "ENOENT", "No such file or directory",
          "EAGAIN", "Resource temporarily unavailable");

  /** One fault; {@code on} is write or command, {@code times} how often it still fires. */
  public record Rule(
      String on, String match, String errno, int exit, String output, String vanish, int times) {}

  private final MutableTree tree;

  public Faults(MutableTree tree) {
    this.tree = tree;
  }

  /**
   * The faults of the sandbox at {@code root}; none for a tree that is not a sandbox (a node's /).
   */
  public static Optional<Faults> ofSandbox(Path root) {
    return Files.isRegularFile(SimulatedHost.SANDBOX_MARKER.under(root))
        ? Optional.of(new Faults(SandboxTree.atomic(new FileTree(root))))
        : Optional.empty();
  }

  /**
   * Writes to paths matching {@code glob} ({@code *} within a name, {@code **} across) fail once.
   */
  public Faults failWrite(String glob, String errno) {
    return failWrite(glob, errno, 1);
  }

  public Faults failWrite(String glob, String errno, int times) {
    return add(new Rule("write", glob, requireKnownErrno(errno), 0, null, null, times));
  }

  /**
   * {@code errno} when a write can be made to fail with it, so a test that names one is refused
   * where it names it rather than when its fault would fire.
   *
   * @throws IllegalArgumentException naming the errnos there are
   */
  public static String requireKnownErrno(String errno) {
    if (!STRERROR.containsKey(errno)) {
      throw new IllegalArgumentException(
          "unknown errno " + errno + "; one of " + new TreeSet<>(STRERROR.keySet()));
    }
    return errno;
  }

  /**
   * A command whose argument vector starts with {@code prefix} (words separated by spaces) fails
   * once.
   */
  public Faults failCommand(String prefix, int exit, String output) {
    return add(new Rule("command", prefix, null, exit, output, null, 1));
  }

  /**
   * The device disappears (hot-unplug) right after the next write matching {@code glob} succeeds.
   */
  public Faults vanishAfterWrite(String glob, PciAddress device) {
    return add(new Rule("write", glob, null, 0, null, device.value(), 1));
  }

  /**
   * The function stops answering, as one that fell off the bus or hung after a guest crashed: its
   * {@code config} reads all-ones (ids included) while sysfs keeps the ids the kernel cached. Until
   * {@link #answerAgain}.
   */
  public Faults stopAnswering(PciAddress function) {
    new ConfigSpaceModel(new Sysfs(tree)).stopAnswering(function);
    return this;
  }

  public Faults answerAgain(PciAddress function) {
    new ConfigSpaceModel(new Sysfs(tree)).answerAgain(function);
    return this;
  }

  /**
   * Writes to paths matching {@code glob} take {@code millis} longer (before the store, holding no
   * lock): a slow device, which widens the window in which two processes could race.
   */
  public Faults delayWrite(String glob, int millis, int times) {
    return add(new Rule("delay", glob, null, millis, null, null, times));
  }

  /**
   * Writes to paths matching {@code glob} hang, {@code times} times: the writing thread blocks and
   * ignores interrupts, as a process in D state does, until {@link #releaseHangs} (then the write
   * is made, late, as a kernel write that finally returns) or for ever. Only the writes the kernel
   * can hang in ({@link dev.guesthook.host.RiskyWrite}) reach it.
   */
  public Faults hangWrite(String glob, int times) {
    return add(new Rule("hang", glob, null, 0, null, null, times));
  }

  /**
   * {@code driver}'s next probe of {@code device} answers late: a probe through {@code
   * drivers_probe} returns without binding and the driver takes the device {@code millis} later, if
   * the device is then still free for it, as a deferred or asynchronous probe does ({@link
   * DeferredProbes} makes the late bind); one through the driver's {@code bind} fails with EAGAIN
   * (the kernel's EPROBE_DEFER), and here binds nothing later: a failed store is taken back whole.
   */
  public Faults probeLate(PciAddress device, DriverName driver, int millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("probe delay " + millis + " ms: expected 0 or more");
    }
    return add(new Rule("probe-late", device.value(), null, millis, driver.value(), null, 1));
  }

  /**
   * {@code driver}'s probe of {@code device} fails, every time: a probe through {@code
   * drivers_probe} leaves the device without a driver (the kernel swallows a probe's error there),
   * one through the driver's {@code bind} fails with EIO. Other drivers still take it.
   */
  public Faults probeRefuses(PciAddress device, DriverName driver) {
    return add(
        new Rule(
            "probe-refuses", device.value(), null, 0, driver.value(), null, Integer.MAX_VALUE));
  }

  /** Counts down a {@link #probeLate} fault for this probe; the delay when it is due. */
  Optional<Integer> probeDelay(PciAddress device, DriverName driver) {
    return take(r -> r.on().equals("probe-late") && isProbeOf(r, device, driver)).map(Rule::exit);
  }

  /** True when a {@link #probeRefuses} fault holds for this probe. */
  boolean probeRefused(PciAddress device, DriverName driver) {
    return pending().stream()
        .anyMatch(r -> r.on().equals("probe-refuses") && isProbeOf(r, device, driver));
  }

  private static boolean isProbeOf(Rule rule, PciAddress device, DriverName driver) {
    return rule.match().equals(device.value()) && rule.output().equals(driver.value());
  }

  /** What {@code power_state} can show: the kernel's pci_power_names (drivers/pci/pci.c). */
  public static final List<String> POWER_STATES =
      List.of("error", "D0", "D1", "D2", "D3hot", "D3cold", "unknown");

  /**
   * The function's cached power state ({@code power_state}) becomes {@code state} and stays so, as
   * for a device that fell off the bus into D3cold, or whose last transition failed ({@code
   * error}): no config read wakes it. A driver's bind or unbind sets it again, as the kernel's
   * probe and remove do.
   *
   * @throws IllegalArgumentException for a name the kernel never shows, or a device the host lacks
   */
  public Faults powerState(PciAddress device, String state) {
    if (!POWER_STATES.contains(state)) {
      throw new IllegalArgumentException(
          "unknown power state " + state + "; one of " + POWER_STATES);
    }
    Sysfs sysfs = new Sysfs(tree);
    if (!sysfs.hasDevice(device)) {
      throw new IllegalArgumentException("no PCI device " + device + " in the sandbox");
    }
    sysfs.setAttribute(device, "power_state", state);
    return this;
  }

  /** Every hung write goes on (and every hang still to come ends at once). */
  public void releaseHangs() {
    tree.createDirectories(RELEASED.parent());
    tree.write(RELEASED, "released\n");
  }

  /**
   * A risky write's hang point: blocks, deaf to interrupts, while a {@link #hangWrite} fault
   * matching {@code path} holds it. A sandbox removed under it (a test's end) fails the write
   * instead: there is no kernel left to take it.
   */
  void hangIfDue(HostPath path) {
    if (take(r -> r.on().equals("hang") && glob(r.match()).matcher(path.toString()).matches())
        .isEmpty()) {
      return;
    }
    boolean interrupted = false;
    while (!tree.exists(RELEASED) && tree.exists(Sysfs.PRIVATE)) {
      try {
        Thread.sleep(HANG_POLL_MILLIS);
      } catch (InterruptedException e) {
        interrupted = true; // as D state: noted, not obeyed
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (!tree.exists(Sysfs.PRIVATE)) {
      throw new HostException("ENODEV", path + ": the simulated kernel is gone");
    }
  }

  /**
   * The process dies (as by kill -9: no shutdown hooks, no finally blocks) at the {@code step}-th
   * crash point: each host change has one just before it and one just after it.
   */
  public Faults crashAtStep(int step) {
    if (step < 1) {
      throw new IllegalArgumentException("crash step " + step + ": expected 1 or more");
    }
    return add(new Rule("crash", "", null, 0, null, null, step));
  }

  /**
   * The process dies (as by kill -9) at the {@code step}-th point inside the simulated kernel's
   * stores, where a real kill cannot land but a kill of the simulator can: before each file a store
   * changes, between a file's new content and its rename, and as the store ends. The kernel's
   * answer to that is {@link SimulatedHost#sandbox}'s: the next process to open the sandbox takes
   * the unfinished store back.
   */
  public Faults crashInStoreAtStep(int step) {
    if (step < 1) {
      throw new IllegalArgumentException("crash step " + step + ": expected 1 or more");
    }
    return add(new Rule("store-crash", "", null, 0, null, null, step));
  }

  /**
   * The {@code step}-th point inside the simulated kernel's stores (those {@link
   * #crashInStoreAtStep} counts) fails with EIO, as the simulator's own files can fail under it (a
   * full disk, a file-size limit); the store is then taken back whole, as a kernel store fails
   * whole.
   */
  public Faults failInStoreAtStep(int step) {
    if (step < 1) {
      throw new IllegalArgumentException("store failure step " + step + ": expected 1 or more");
    }
    return add(new Rule("store-fail", "", "EIO", 0, null, null, step));
  }

  /**
   * The {@code n}-th host change from now fails, whatever it is: a write or a command that changes
   * something, a directory made or a file deleted, counted as {@code TracingHost} counts changes. A
   * write, mkdir or delete fails with EIO before it takes effect; a command exits 2 without
   * running, as {@code ip} does when the kernel refuses. This is how a test reaches every step of a
   * phase.
   */
  public Faults failChange(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("change " + n + ": expected 1 or more");
    }
    return add(
        new Rule(
            "change",
            "",
            "EIO",
            2,
            "RTNETLINK answers: Input/output error (injected fault)",
            null,
            n));
  }

  /**
   * A change point: counts down a {@link #failChange} fault; the failure to report when this change
   * is the one.
   */
  Optional<Rule> changeFails() {
    return take(r -> r.on().equals("change")).filter(r -> r.times() <= 1);
  }

  /**
   * A change point for a write, mkdir or delete: throws the injected EIO when this change is the
   * one.
   */
  void beforeChange(HostPath path) {
    if (changeFails().isPresent()) {
      throw new HostException("EIO", path + ": " + STRERROR.get("EIO") + " (injected fault)");
    }
  }

  /**
   * The {@code nth} write of a journal line of {@code kind} ({@code intent}, {@code result}, or the
   * {@code started} note of a successful start) fails: {@code short} writes part of the line and
   * then fails with EFBIG (a file-size limit), {@code ENOSPC} writes nothing (a full disk).
   */
  public Faults failJournalWrite(String kind, int nth, String how) {
    if (!List.of("intent", "result", "started").contains(kind)
        || !List.of("short", "ENOSPC").contains(how)
        || nth < 1) {
      throw new IllegalArgumentException(
          "journal fault "
              + kind
              + " #"
              + nth
              + " "
              + how
              + ": expected intent, result or started, 1 or more, short or ENOSPC");
    }
    return add(new Rule("journal-" + kind, "", how, 0, null, null, nth));
  }

  /** Counts down a {@link #failJournalWrite} fault for this write; how it fails when it is due. */
  public Optional<String> journalWrite(String kind) {
    return take(r -> r.on().equals("journal-" + kind)).filter(r -> r.times() <= 1).map(Rule::errno);
  }

  /**
   * A crash point: counts down a {@link #crashAtStep} fault and ends the process when it reaches
   * it.
   */
  void crashPoint() {
    if (take(r -> r.on().equals("crash")).filter(r -> r.times() <= 1).isPresent()) {
      Runtime.getRuntime().halt(137);
    }
  }

  /**
   * A point inside a store: counts down a {@link #crashInStoreAtStep} fault and ends the process at
   * it, and a {@link #failInStoreAtStep} fault and throws at it.
   */
  void inStore() {
    if (take(r -> r.on().equals("store-crash")).filter(r -> r.times() <= 1).isPresent()) {
      Runtime.getRuntime().halt(137);
    }
    if (take(r -> r.on().equals("store-fail")).filter(r -> r.times() <= 1).isPresent()) {
      throw new HostException(
          "EIO", "simulated kernel store: " + STRERROR.get("EIO") + " (injected fault)");
    }
  }

  public List<Rule> pending() {
    if (!tree.exists(FILE)) {
      return List.of();
    }
    try {
      return JSON.readValue(tree.read(FILE), new TypeReference<List<Rule>>() {});
    } catch (IOException e) {
      throw new HostException("EINVAL", FILE + ": not a fault list: " + e.getMessage());
    }
  }

  /**
   * A {@link #delayWrite} fault's wait, called before the store takes the simulator's lock: a slow
   * device holds up its own writer, not every other write of the process. An interrupt ends the
   * wait and the write is made; a call given up on ({@link CallsGivenUp}) ends it with ECANCELED
   * and nothing written.
   */
  void delayIfDue(HostPath path) {
    Optional<Rule> delay =
        take(r -> r.on().equals("delay") && glob(r.match()).matcher(path.toString()).matches());
    if (delay.isPresent()) {
      CallsGivenUp.Ended how;
      try {
        how =
            CallsGivenUp.await(
                nanos -> {
                  TimeUnit.NANOSECONDS.sleep(nanos);
                  return false;
                },
                TimeUnit.MILLISECONDS.toNanos(delay.get().exit()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (how == CallsGivenUp.Ended.GIVEN_UP) {
        throw new HostException(
            "ECANCELED", path + ": given up on in a delayed write (injected fault); not written");
      }
    }
  }

  void beforeWrite(HostPath path) {
    Optional<Rule> rule =
        take(
            r ->
                r.on().equals("write")
                    && r.errno() != null
                    && glob(r.match()).matcher(path.toString()).matches());
    if (rule.isPresent()) {
      String errno = rule.get().errno();
      throw new HostException(errno, path + ": " + STRERROR.get(errno) + " (injected fault)");
    }
  }

  Optional<PciAddress> vanishingAfter(HostPath path) {
    return take(r ->
            r.on().equals("write")
                && r.vanish() != null
                && glob(r.match()).matcher(path.toString()).matches())
        .map(r -> new PciAddress(r.vanish()));
  }

  Optional<CommandResult> beforeCommand(HostCommand command) {
    if (!command.readOnly()) {
      Optional<CommandResult> changeFailure =
          changeFails().map(r -> CommandResult.ran(r.exit(), r.output() + "\n"));
      if (changeFailure.isPresent()) {
        return changeFailure;
      }
    }
    String line = String.join(" ", command.argv());
    return take(r ->
            r.on().equals("command")
                && (line.equals(r.match()) || line.startsWith(r.match() + " ")))
        .map(r -> CommandResult.ran(r.exit(), r.output() == null ? "" : r.output() + "\n"));
  }

  /** Synchronized: a risky write checks its hang on a thread of its own, beside other calls. */
  private synchronized Optional<Rule> take(Predicate<Rule> matches) {
    List<Rule> rules = new ArrayList<>(pending());
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      if (matches.test(rule)) {
        if (rule.times() <= 1) {
          rules.remove(i);
        } else {
          rules.set(
              i,
              new Rule(
                  rule.on(),
                  rule.match(),
                  rule.errno(),
                  rule.exit(),
                  rule.output(),
                  rule.vanish(),
                  rule.times() - 1));
        }
        save(rules);
        return Optional.of(rule);
      }
    }
    return Optional.empty();
  }

  private Faults add(Rule rule) {
    List<Rule> rules = new ArrayList<>(pending());
    rules.add(rule);
    save(rules);
    return this;
  }

  private void save(List<Rule> rules) {
    try {
      tree.createDirectories(FILE.parent());
      tree.write(FILE, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rules) + "\n");
    } catch (IOException e) {
      throw new HostException("EIO", FILE + ": " + e.getMessage());
    }
  }

  /**
   * A fault's path glob as a pattern: {@code *} within a name, {@code **} across names, {@code ?}
   * one character. Public so the test kit matches host paths exactly as the faults do.
   */
  public static Pattern glob(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
