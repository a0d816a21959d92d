package dev.guesthook.core.hookhost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.core.dispatch.HookInvocation;
import dev.guesthook.core.dispatch.HookLog;
import dev.guesthook.core.event.HookEvent;
import dev.guesthook.core.event.Phase;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.Uuid;
import dev.guesthook.id.VmId;
import dev.guesthook.json.Json;
import groovy.lang.Closure;
import groovy.lang.GroovyObjectSupport;
import groovy.lang.MissingMethodException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.codehaus.groovy.runtime.InvokerHelper;
import org.codehaus.groovy.runtime.metaclass.MissingMethodExceptionNoStack;

/**
 * What a handler closure sees as its delegate: the event, the host port with short helpers, its
 * logger and settings, {@code undo { ... }} / {@code skip(reason)}, and every name the installed
 * {@link HookScopeContribution}s give (the domain's {@code pci}, {@code config}, {@code pve}, ...),
 * each made once per invocation on first use.
 */
public final class HookContext extends GroovyObjectSupport {
  private static final ObjectMapper JSON = Json.MAPPER;
  private final HookInvocation invocation;
  private final HookGlobals globals;
  private final Map<String, Object> contributed = new ConcurrentHashMap<>();
  private final HookScope scope = new Scope();
  private HookState state;
  private int uuidsMade;
  private List<HookCheck> checks;

  HookContext(HookInvocation invocation, HookGlobals globals) {
    this.invocation = invocation;
    this.globals = globals;
  }

  /** A contributed property, else the core's own (its getters). */
  @Override
  public Object getProperty(String name) {
    HookGlobal global = globals.property(name);
    return global == null ? super.getProperty(name) : contributedValue(global);
  }

  /**
   * The core's own method, else a contributed function, e.g. {@code pciAddress('0000:01:00.0')}.
   * Groovy calls this when its meta class finds no method of that name (a closure's delegate, an
   * indy call site, {@code InvokerHelper}): a {@code methodMissing} here was called by reflection,
   * and a handler's call of its own file's method, which Groovy asks the context for first, came
   * back as a MissingMethodException wrapped twice with full stack traces (14 a replayed event of
   * runtime/bench/replay.sh). Without a stack, as Groovy's own.
   */
  @Override
  public Object invokeMethod(String name, Object args) {
    try {
      return getMetaClass().invokeMethod(this, name, args);
    } catch (MissingMethodException missing) {
      if (!name.equals(missing.getMethod()) || missing.getType() != HookContext.class) {
        throw missing; // raised inside a method that exists
      }
    }
    HookGlobal global = globals.function(name);
    if (global == null) {
      throw new MissingMethodExceptionNoStack(name, HookContext.class, InvokerHelper.asArray(args));
    }
    return InvokerHelper.invokeMethod(contributedValue(global), "call", args);
  }

  private Object contributedValue(HookGlobal global) {
    Object known = contributed.get(global.name());
    if (known != null) {
      return known;
    }
    Object made;
    try {
      made = global.value().of(scope);
    } catch (Exception e) {
      throw HookContext.<RuntimeException>asThrown(e);
    }
    if (made == null) {
      return null;
    }
    Object raced = contributed.putIfAbsent(global.name(), made);
    return raced == null ? made : raced;
  }

  /**
   * Rethrows a value's exception as it was thrown (e.g. a config that does not parse), so the hook
   * sees the same failure it would from a getter of its own; Java's checked-exception rule is the
   * compiler's, not the JVM's.
   */
  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T asThrown(Throwable e) throws T {
    throw (T) e;
  }

  private final class Scope implements HookScope {
    @Override
    public HookInvocation invocation() {
      return invocation;
    }

    @Override
    public Object valueOf(String name) {
      HookGlobal global = globals.property(name);
      if (global == null) {
        global = globals.function(name);
      }
      if (global == null) {
        throw new IllegalArgumentException("no contributed name '" + name + "' in hooks' scope");
      }
      return contributedValue(global);
    }
  }

  /**
   * What this hook saved for this VM in an earlier phase (see {@link HookState}). A pre-start that
   * is rolled back puts the state back as it was before its first save: none, so a refused start
   * leaves no trace; or what an earlier pre-start of a guest still running saved, whose "before"
   * values the next post-stop still needs.
   */
  public HookState getState() {
    if (state == null) {
      state =
          new HookState(
              getHost(),
              getVmid(),
              invocation.hook().name(),
              earlier -> {
                if (getPhase() == Phase.PRE_START) {
                  invocation.undo(
                      earlier.isPresent()
                          ? "put back the state an earlier pre-start saved"
                          : "forget the saved state",
                      () -> state.putBack(earlier));
                }
              });
    }
    return state;
  }

  /**
   * A fresh UUID that a replay of this event gets again: derived (RFC 4122 name-based) from the VM,
   * the phase, the event's time, the hook and a counter, so recordings replay byte for byte. Hooks
   * should use this rather than a random UUID.
   */
  public synchronized Uuid newUuid() {
    String name =
        getVmid()
            + "/"
            + getPhase().wireName()
            + "/"
            + getEvent().time()
            + "/"
            + invocation.hook().name()
            + "/"
            + (uuidsMade++);
    return Uuid.parse(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString());
  }

  /**
   * The event as the domain made it: for guesthook a {@code guest.LifecycleEvent}, all of it
   * visible to hooks.
   */
  public HookEvent getEvent() {
    return invocation.event();
  }

  public VmId getVmid() {
    return invocation.event().vmid();
  }

  public Phase getPhase() {
    return invocation.event().phase();
  }

  public HostPort getHost() {
    return invocation.host();
  }

  public HookLog getLog() {
    return invocation.log();
  }

  public Map<String, Object> getSettings() {
    return invocation.settings();
  }

  /** Another hook's settings for this guest, typed as that hook gets them; empty when none. */
  public Map<String, Object> settingsOf(String hookName) {
    return invocation.settingsOf(hookName);
  }

  public boolean isDryRun() {
    return invocation.dryRun();
  }

  /**
   * A validated host path from its absolute form, e.g. {@code path("/sys/bus/pci/drivers_probe")}.
   */
  public HostPath path(String absolute) {
    return HostPath.parse(absolute);
  }

  public String read(String absolute) {
    return getHost().read(path(absolute));
  }

  public void write(String absolute, Object value) {
    getHost().write(path(absolute), String.valueOf(value));
  }

  public boolean exists(String absolute) {
    return getHost().exists(path(absolute));
  }

  public List<String> list(String absolute) {
    return getHost().list(path(absolute));
  }

  /** A JSON file on the host as maps, lists, strings, numbers and booleans. */
  public Object readJson(String absolute) {
    try {
      return JSON.readValue(read(absolute), Object.class);
    } catch (IOException e) {
      throw new HostException("EINVAL", absolute + ": not JSON: " + e.getMessage());
    }
  }

  /** Writes a value as JSON to a host file, making its folder first. */
  public void writeJson(String absolute, Object value) {
    HostPath file = path(absolute);
    getHost().createDirectories(file.parent());
    try {
      getHost().write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot write " + absolute + " as JSON: " + e.getMessage(), e);
    }
  }

  /** Runs a command (an argument vector, no shell); fails the hook unless it succeeds. */
  public CommandResult run(Object... argv) {
    List<String> args = Arrays.stream(argv).map(String::valueOf).toList();
    HostCommand command = new HostCommand(args, Map.of(), HostCommand.DEFAULT_TIMEOUT, line -> {});
    CommandResult result = getHost().run(command);
    if (!result.succeeded()) {
      throw new HostException(
          result.status() == CommandResult.Status.RAN ? "EXIT" : result.status().name(),
          command.display() + " failed (" + describe(result) + ")");
    }
    return result;
  }

  /**
   * Runs a check of one settings entry; a refusal is reported with where it is, e.g. {@code
   * checked('sriov-vf.vfs[0]') { mac(e.mac) }} fails as "sriov-vf.vfs[0]: invalid MAC address ...".
   */
  public Object checked(String where, Closure<?> check) {
    try {
      return check.call();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /** For a check block: where its pass/warn/fail lines go. */
  List<HookCheck> collectChecks() {
    checks = new ArrayList<>();
    return checks;
  }

  /** In a {@code check { }} block: this part is ready. */
  public void pass(Object text) {
    said(HookCheck.Level.PASS, text);
  }

  /** In a {@code check { }} block: this part will work, but the admin should know something. */
  public void warn(Object text) {
    said(HookCheck.Level.WARN, text);
  }

  /** In a {@code check { }} block: this part would fail the start. */
  public void fail(Object text) {
    said(HookCheck.Level.FAIL, text);
  }

  private void said(HookCheck.Level level, Object text) {
    if (checks == null) {
      throw new IllegalStateException(
          "pass, warn and fail belong in a check { } block; in a handler use log.info"
              + " or throw");
    }
    checks.add(new HookCheck(level, String.valueOf(text)));
  }

  /** Registers how to revert this hook's change should the pre-start transaction fail. */
  public void undo(Closure<?> step) {
    undo("undo " + invocation.hook().name(), step);
  }

  public void undo(String description, Closure<?> step) {
    invocation.undo(
        description,
        () ->
            HookAbandonment.watching(
                invocation::mustStop, () -> HookScript.withContext(this, step::call)));
  }

  /** Ends the hook as not applicable, e.g. {@code skip('no SR-IOV NIC configured')}. */
  public void skip(String reason) {
    invocation.skip(reason);
  }

  private static String describe(CommandResult result) {
    return switch (result.status()) {
      case RAN ->
          "exit "
              + result.exitCode()
              + (result.lastLine().isEmpty() ? "" : ": " + result.lastLine());
      case TIMED_OUT -> "killed at its timeout";
      case NOT_SIMULATED -> "the simulated host has no model of this command";
      case PLANNED -> "planned";
    };
  }
}
