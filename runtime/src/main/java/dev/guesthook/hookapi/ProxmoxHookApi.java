package dev.guesthook.hookapi;

import dev.guesthook.core.dispatch.HookInvocation;
import dev.guesthook.core.dispatch.HookServices;
import dev.guesthook.core.hookhost.HookFunction;
import dev.guesthook.core.hookhost.HookGlobal;
import dev.guesthook.core.hookhost.HookScope;
import dev.guesthook.core.hookhost.HookScopeContribution;
import dev.guesthook.devices.Change;
import dev.guesthook.devices.Devices;
import dev.guesthook.devices.Ledger;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.guest.Situation;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.MacAddress;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.GuestType;
import dev.guesthook.pve.Hostpci;
import dev.guesthook.pve.Pve;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What hooks get of Proxmox and the devices, put into their scope through the core's extension
 * point: the device operations over the hook's own (traced, revocable) host, locked and noted in
 * the guest's ledger when the phase has one; the guest's config and hostpci entries; the Proxmox
 * model; and the typed-id helpers. Hook files name the ids, device operations and Proxmox types
 * without imports.
 */
public final class ProxmoxHookApi implements HookScopeContribution {
  /** What a phase that changes devices on a guest's behalf hands its hooks: the guest's ledger. */
  public static HookServices services(Ledger ledger) {
    return HookServices.of(Ledger.class, ledger);
  }

  @Override
  public List<HookGlobal> globals() {
    return List.of(
        HookGlobal.property("devices", ProxmoxHookApi::devices),
        HookGlobal.property("pci", scope -> devicesOf(scope).pci()),
        HookGlobal.property("mdev", scope -> devicesOf(scope).mdev()),
        HookGlobal.property("sriov", scope -> devicesOf(scope).sriov()),
        HookGlobal.property("nvidia", scope -> devicesOf(scope).nvidia()),
        HookGlobal.property("vgpu", scope -> devicesOf(scope).vgpu()),
        HookGlobal.property("config", scope -> event(scope).config()),
        HookGlobal.property("hostpci", scope -> Hostpci.of(event(scope).config())),
        HookGlobal.property("pve", scope -> new Pve(scope.invocation().host())),
        HookGlobal.function(
            "pciAddress", scope -> (HookFunction) text -> PciAddress.parse(String.valueOf(text))),
        HookGlobal.function(
            "mac", scope -> (HookFunction) text -> MacAddress.parse(String.valueOf(text))),
        HookGlobal.function(
            "driver", scope -> (HookFunction) name -> new DriverName(String.valueOf(name))),
        HookGlobal.function("proxmoxUuid", scope -> new ProxmoxUuids(event(scope).vmid())));
  }

  @Override
  public List<Class<?>> imports() {
    return List.of(LifecycleEvent.class, Situation.class, GuestType.class);
  }

  @Override
  public List<String> starImports() {
    return List.of("dev.guesthook.id", "dev.guesthook.devices", "dev.guesthook.pve");
  }

  /**
   * Where this wave moved what hook files may have imported by name: the event's types, and the
   * core's packages (before, {@code dev.guesthook.event}, {@code hookhost}, {@code dispatch} and
   * {@code settings}).
   */
  @Override
  public Map<String, String> movedImports() {
    return Map.of(
        "dev.guesthook.event.LifecycleEvent", LifecycleEvent.class.getName(),
        "dev.guesthook.event.Situation", Situation.class.getName(),
        "dev.guesthook.event.Phase", "dev.guesthook.core.event.Phase",
        "dev.guesthook.event", "dev.guesthook.guest",
        "dev.guesthook.hookhost", "dev.guesthook.core.hookhost",
        "dev.guesthook.dispatch", "dev.guesthook.core.dispatch",
        "dev.guesthook.settings", "dev.guesthook.core.settings");
  }

  /**
   * Over the hook's host, so dry runs, the simulator, tracing and the timeout's revocation apply.
   */
  private static Devices devices(HookScope scope) {
    Ledger ledger = scope.invocation().services().find(Ledger.class).orElse(Ledger.NONE);
    return new Devices(scope.invocation().host(), asHostCalls(ledger, scope.invocation()));
  }

  /**
   * The ledger as the hook's host calls: it writes the guest's journal and takes device locks
   * itself, not through the hook's host, and a thread the hook left running claimed a VF in the
   * journal after the phase answered. A device operation under its device's lock is one call: one
   * begun while the hook may act ends whole, and the phase waits for it.
   */
  private static Ledger asHostCalls(Ledger ledger, HookInvocation invocation) {
    return new Ledger() {
      @Override
      public <T> T locked(PciAddress device, Supplier<T> work) {
        return invocation.asOneHostCall(
            "device operation on " + device, () -> ledger.locked(device, work));
      }

      @Override
      public void apply(Change change, Runnable action) {
        invocation.asOneHostCall(
            "device ledger note " + change.getClass().getSimpleName(),
            () -> {
              ledger.apply(change, action);
              return null;
            });
      }

      @Override
      public Set<PciAddress> heldByOthers() {
        return invocation.asOneHostCall("read of the device ledger", ledger::heldByOthers);
      }

      @Override
      public Set<PciAddress> heldBy(VmId guest) {
        return invocation.asOneHostCall("read of the device ledger", () -> ledger.heldBy(guest));
      }
    };
  }

  /**
   * One set of device operations per invocation, shared by {@code devices}, {@code pci}, {@code
   * mdev}, ...
   */
  private static Devices devicesOf(HookScope scope) throws Exception {
    return (Devices) scope.valueOf("devices");
  }

  private static LifecycleEvent event(HookScope scope) {
    return LifecycleEvent.of(scope.invocation().event());
  }
}
