package dev.guesthook.core.hookhost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.core.dispatch.HookInvocation;
import dev.guesthook.core.dispatch.HookLog;
import dev.guesthook.core.event.LifecycleEvent;
import dev.guesthook.core.event.Phase;
import dev.guesthook.id.VmId;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.devices.Devices;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.MacAddress;
import dev.guesthook.devices.MediatedDevices;
import dev.guesthook.devices.NvidiaVgpus;
import dev.guesthook.id.PciAddress;
import dev.guesthook.devices.PciDevices;
import dev.guesthook.devices.SriovDevices;
import dev.guesthook.id.Uuid;
import dev.guesthook.devices.Vgpus;
import dev.guesthook.json.Json;
import dev.guesthook.pve.Hostpci;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfig;
import groovy.lang.Closure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a handler closure sees as its delegate: the event, the host port with short helpers, the
 * Proxmox model, its logger and settings, and {@code undo { ... }} / {@code skip(reason)}.
 */
public final class HookContext {
  private static final ObjectMapper JSON = Json.MAPPER;
  private final HookInvocation invocation;
  private Devices devices;
  private HookState state;
  private int uuidsMade;
  private List<HookCheck> checks;

  HookContext(HookInvocation invocation) {
    this.invocation = invocation;
  }

  /** Device operations over this hook's host port (so dry runs, the simulator and tracing apply). */
  public Devices getDevices() {
    if (devices == null) {
      devices = new Devices(getHost(), invocation.ledger());
    }
    return devices;
  }

  public PciDevices getPci() {
    return getDevices().pci();
  }

  public MediatedDevices getMdev() {
    return getDevices().mdev();
  }

  public SriovDevices getSriov() {
    return getDevices().sriov();
  }

  public NvidiaVgpus getNvidia() {
    return getDevices().nvidia();
  }

  public Vgpus getVgpu() {
    return getDevices().vgpu();
  }

  /** The guest's hostpciN entries, parsed. */
  public List<Hostpci> getHostpci() throws PveFileException {
    return Hostpci.of(getConfig());
  }

  /**
   * What this hook saved for this VM in an earlier phase (see {@link HookState}). A pre-start that is
   * rolled back puts the state back as it was before its first save: none, so a refused start leaves
   * no trace; or what an earlier pre-start of a guest still running saved, whose "before" values the
   * next post-stop still needs.
   */
  public HookState getState() {
    if (state == null) {
      state = new HookState(getHost(), getVmid(), invocation.hook().name(), earlier -> {
        if (getPhase() == Phase.PRE_START) {
          invocation.undo(earlier.isPresent() ? "put back the state an earlier pre-start saved" : "forget the saved state",
              () -> state.putBack(earlier));
        }
      });
    }
    return state;
  }

  public PciAddress pciAddress(Object text) {
    return PciAddress.parse(String.valueOf(text));
  }

  public MacAddress mac(Object text) {
    return MacAddress.parse(String.valueOf(text));
  }

  public DriverName driver(Object name) {
    return new DriverName(String.valueOf(name));
  }

  /**
   * A fresh UUID that a replay of this event gets again: derived (RFC 4122 name-based) from the VM,
   * the phase, the event's time, the hook and a counter, so recordings replay byte for byte. Hooks
   * should use this rather than a random UUID.
   */
  public synchronized Uuid newUuid() {
    String name = getVmid() + "/" + getPhase().wireName() + "/" + getEvent().time() + "/" + invocation.hook().name()
        + "/" + (uuidsMade++);
    return Uuid.parse(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString());
  }

  /** The UUID Proxmox gives the mdev of this VM's hostpci{@code index}. */
  public Uuid proxmoxUuid(int index) {
    return Uuid.proxmox(getVmid(), index);
  }

  public LifecycleEvent getEvent() {
    return invocation.event();
  }

  public VmId getVmid() {
    return invocation.event().vmid();
  }

  public Phase getPhase() {
    return invocation.event().phase();
  }

  public VmConfig getConfig() {
    return invocation.event().config();
  }

  public HostPort getHost() {
    return invocation.host();
  }

  public Pve getPve() {
    return invocation.pve();
  }

  public HookLog getLog() {
    return invocation.log();
  }

  public Map<String, Object> getSettings() {
    return invocation.settings();
  }

  public boolean isDryRun() {
    return invocation.dryRun();
  }

  /** A validated host path from its absolute form, e.g. {@code path("/sys/bus/pci/drivers_probe")}. */
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
      throw new IllegalArgumentException("cannot write " + absolute + " as JSON: " + e.getMessage(), e);
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
   * Runs a check of one settings entry; a refusal is reported with where it is, e.g.
   * {@code checked('sriov-vf.vfs[0]') { mac(e.mac) }} fails as "sriov-vf.vfs[0]: invalid MAC address ...".
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
      throw new IllegalStateException("pass, warn and fail belong in a check { } block; in a handler use log.info"
          + " or throw");
    }
    checks.add(new HookCheck(level, String.valueOf(text)));
  }

  /** Registers how to revert this hook's change should the pre-start transaction fail. */
  public void undo(Closure<?> step) {
    undo("undo " + invocation.hook().name(), step);
  }

  public void undo(String description, Closure<?> step) {
    invocation.undo(description, () -> HookScript.withContext(this, step::call));
  }

  /** Ends the hook as not applicable, e.g. {@code skip('no SR-IOV NIC configured')}. */
  public void skip(String reason) {
    invocation.skip(reason);
  }

  private static String describe(CommandResult result) {
    return switch (result.status()) {
      case RAN -> "exit " + result.exitCode() + (result.lastLine().isEmpty() ? "" : ": " + result.lastLine());
      case TIMED_OUT -> "killed at its timeout";
      case NOT_SIMULATED -> "the simulated host has no model of this command";
      case PLANNED -> "planned";
    };
  }
}
