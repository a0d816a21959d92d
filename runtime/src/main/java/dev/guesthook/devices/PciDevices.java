package dev.guesthook.devices;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.PciResets;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * PCI functions: what they are, and which driver has them. Binding goes the way driverctl does it:
 * {@code driver_override}, unbind from the current driver, {@code drivers_probe}; so a device can
 * be given to vfio-pci and back to its host driver without touching the drivers' id tables.
 */
public final class PciDevices {
  private static final Duration POLL = Duration.ofMillis(50);
  private static final HostPath KEPT_ON_VFIO = HostPath.of("run", "guesthook", "kept-on-vfio");

  /** Vendor and device ids, command and status, revision and class. */
  private static final int HEADER_PREFIX = 12;

  private final HostPort host;
  private final Ledger ledger;

  public PciDevices(HostPort host) {
    this(host, Ledger.NONE);
  }

  PciDevices(HostPort host, Ledger ledger) {
    this.host = host;
    this.ledger = ledger;
  }

  public boolean exists(PciAddress address) {
    return host.exists(SysfsPaths.device(address));
  }

  public PciDevice info(PciAddress address) {
    requireExists(address);
    Optional<String> group =
        host.readLink(SysfsPaths.device(address, "iommu_group")).map(HostPath::name);
    List<PciAddress> members = new ArrayList<>();
    group.ifPresent(
        g ->
            host.list(SysfsPaths.IOMMU_GROUPS.resolve(g, "devices")).stream()
                .filter(name -> name.matches("[0-9a-f]{4}:.*"))
                .map(PciAddress::new)
                .forEach(members::add));
    return new PciDevice(
        address,
        hex(address, "vendor"),
        hex(address, "device"),
        hex(address, "subsystem_vendor"),
        hex(address, "subsystem_device"),
        hex(address, "class"),
        driver(address),
        group,
        members,
        host.readLink(SysfsPaths.device(address, "physfn"))
            .map(link -> new PciAddress(link.name())));
  }

  /**
   * Whether the function answers configuration reads. One that fell off the bus or hangs reads
   * all-ones, while sysfs's {@code vendor} and {@code device} keep the ids the kernel cached at
   * enumeration, so only {@code config} tells. A healthy VF reads vendor and device ffff too
   * (SR-IOV; seen on the test bed's kernel), so the revision and class dword counts as well. The
   * kernel wakes a runtime-suspended function for the read.
   */
  public boolean configAnswers(PciAddress address) {
    byte[] header = host.readBytes(SysfsPaths.device(address, "config"), HEADER_PREFIX);
    return header.length == HEADER_PREFIX && !(allOnes(header, 0, 4) && allOnes(header, 8, 12));
  }

  private static boolean allOnes(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != (byte) 0xff) {
        return false;
      }
    }
    return true;
  }

  public Optional<DriverName> driver(PciAddress address) {
    return host.readLink(SysfsPaths.device(address, "driver"))
        .map(link -> new DriverName(link.name()));
  }

  /**
   * The driver the device is pinned to by {@code driver_override}; empty when none ({@code
   * (null)}).
   */
  public String driverOverride(PciAddress address) {
    String value = host.read(SysfsPaths.device(address, "driver_override")).trim();
    return value.equals("(null)") ? "" : value;
  }

  /**
   * Every function of a slot such as {@code 0000:01:00}, the form Proxmox uses for a multifunction
   * GPU.
   */
  public List<PciAddress> functions(String slot) {
    return host.list(SysfsPaths.PCI_DEVICES).stream()
        .filter(name -> name.startsWith(slot + "."))
        .map(PciAddress::new)
        .toList();
  }

  /**
   * Gives the device to {@code driver}: override, unbind, probe, and check that the driver took it.
   * Loads the driver's module first when it is not loaded. Nothing happens when it already has it.
   */
  public void bind(PciAddress address, DriverName driver) {
    bind(address, driver, Duration.ZERO);
  }

  /**
   * As {@link #bind(PciAddress, DriverName)}, waiting up to {@code wait} after the probe for the
   * driver to take the device: a driver may probe late (a deferred or asynchronous probe). One
   * probe, never repeated; a driver that has not taken it by then is a failure, and the device is
   * put back on the driver it had.
   */
  public void bind(PciAddress address, DriverName driver, Duration wait) {
    requireExists(address);
    Optional<DriverName> current = driver(address);
    if (current.equals(Optional.of(driver))) {
      return;
    }
    loadModule(driver);
    // Under the device's lock, so no other process's writes to it interleave with these.
    ledger.locked(
        address,
        () -> {
          ledger.apply(
              new Change.DriverChanged(address, current),
              () -> rebind(address, driver, current, wait));
          return null;
        });
  }

  private void rebind(
      PciAddress address, DriverName driver, Optional<DriverName> current, Duration wait) {
    String override = driverOverride(address);
    try {
      host.write(SysfsPaths.device(address, "driver_override"), driver.value());
      if (current.isPresent()) {
        host.write(SysfsPaths.driver(current.get()).resolve("unbind"), address.value());
      }
      host.write(SysfsPaths.DRIVERS_PROBE, address.value());
      if (!awaitDriver(address, driver, wait)) {
        throw new DeviceException(
            address
                + ": "
                + driver
                + " did not take the device "
                + (wait.isZero() ? "" : "within " + describe(wait) + " ")
                + "after drivers_probe"
                + " (it has "
                + driver(address).map(DriverName::value).orElse("no driver")
                + ")");
      }
    } catch (RuntimeException failed) {
      putBack(address, override, current, failed);
      throw failed;
    }
  }

  /** After a failed bind: the override and driver the device had, so a failure changes nothing. */
  private void putBack(
      PciAddress address, String override, Optional<DriverName> previous, RuntimeException failed) {
    try {
      host.write(
          SysfsPaths.device(address, "driver_override"), override.isEmpty() ? "\n" : override);
      Optional<DriverName> now = driver(address);
      if (previous.isPresent() && !now.equals(previous)) {
        if (now.isPresent()) {
          host.write(SysfsPaths.driver(now.get()).resolve("unbind"), address.value());
        }
        host.write(SysfsPaths.driver(previous.get()).resolve("bind"), address.value());
      }
    } catch (RuntimeException alsoFailed) {
      failed.addSuppressed(alsoFailed);
    }
  }

  /**
   * Hands the device back to a host driver and clears the override, so the next start finds it as
   * boot did.
   */
  public void release(PciAddress address, DriverName hostDriver) {
    release(address, hostDriver, Duration.ZERO);
  }

  /**
   * Hands the device back, waiting up to {@code wait} for the host driver to take it ({@link
   * #bind(PciAddress, DriverName, Duration)}); a driver that does not leaves the device on the
   * driver it had (vfio-pci after a guest), with its override, and this throws.
   */
  public void release(PciAddress address, DriverName hostDriver, Duration wait) {
    bind(address, hostDriver, wait);
    host.write(SysfsPaths.device(address, "driver_override"), "\n");
    if (host.exists(keptMark(address))) {
      host.delete(keptMark(address));
    }
  }

  /**
   * Notes that the device stays on vfio-pci on purpose (its host driver did not take it, or it no
   * longer answers), so a reconcile leaves it there instead of trying again; a later {@link
   * #release} takes the note away. In {@code /run/guesthook/kept-on-vfio}: a reboot clears it, as
   * it clears the device's state.
   */
  public void keepOnVfio(PciAddress address, String why) {
    host.createDirectories(KEPT_ON_VFIO);
    host.write(keptMark(address), why.strip() + "\n");
  }

  /** Why the device was kept on vfio-pci, when it was ({@link #keepOnVfio}). */
  public Optional<String> keptOnVfio(PciAddress address) {
    HostPath mark = keptMark(address);
    return host.exists(mark) ? Optional.of(host.read(mark).strip()) : Optional.empty();
  }

  private static HostPath keptMark(PciAddress address) {
    return KEPT_ON_VFIO.resolve(address.value());
  }

  /**
   * Puts a device back with the driver it had ({@code null}: none), e.g. in an undo step or at
   * post-stop.
   */
  public void restore(PciAddress address, DriverName previous) {
    if (previous != null) {
      release(address, previous);
    } else {
      unbind(address);
    }
  }

  /** Unbinds the device from its driver and clears the override; afterwards it has no driver. */
  public void unbind(PciAddress address) {
    Optional<DriverName> current = driver(address);
    if (current.isPresent()) {
      host.write(SysfsPaths.driver(current.get()).resolve("unbind"), address.value());
    }
    host.write(SysfsPaths.device(address, "driver_override"), "\n");
  }

  /** How the function can be reset: whether at all, whether the order can be chosen, and how. */
  public ResetMethods resetMethods(PciAddress address) {
    requireExists(address);
    boolean resettable = host.exists(SysfsPaths.device(address, "reset"));
    HostPath methodFile = SysfsPaths.device(address, "reset_method");
    boolean orderable = host.exists(methodFile);
    List<String> enabled = orderable ? words(host.read(methodFile)) : List.of();
    boolean knows = PciResets.vendorResetKnows(hex(address, "vendor"), hex(address, "device"));
    boolean loaded = host.exists(PciResets.VENDOR_RESET_LOADED);
    List<String> offered =
        PciResets.METHODS.stream()
            .filter(
                m ->
                    enabled.contains(m)
                        || (m.equals(PciResets.DEVICE_SPECIFIC) && knows && loaded && orderable))
            .toList();
    return new ResetMethods(resettable, orderable, enabled, offered, knows, loaded);
  }

  /**
   * Why {@link #reset} would refuse this function with this order (empty: the device's own), or
   * empty when it would try: asked before any change, so a start that cannot reset changes nothing.
   */
  public Optional<String> whyNotReset(PciAddress address, List<String> order) {
    List<String> unknown = order.stream().filter(m -> !PciResets.METHODS.contains(m)).toList();
    if (!unknown.isEmpty()) {
      return Optional.of(
          unknown.stream().map(m -> "'" + Printable.of(m) + "'").collect(Collectors.joining(", "))
              + " is not a reset method; the kernel's are: "
              + String.join(" ", PciResets.METHODS));
    }
    if (order.stream().distinct().count() < order.size()) {
      // reset_method_store takes each method once, at most all of them (EINVAL otherwise): found
      // here, before the device leaves its driver.
      return Optional.of("a reset method is named twice: " + String.join(" ", order));
    }
    ResetMethods methods = resetMethods(address);
    if (!methods.resettable()) {
      return Optional.of(address + " offers no reset method (the kernel has no reset file for it)");
    }
    if (order.isEmpty()) {
      return methods.orderable() && methods.enabled().isEmpty()
          ? Optional.of(
              address + ": every reset method is disabled (its reset_method is empty); name one")
          : Optional.empty();
    }
    if (!methods.orderable()) {
      return Optional.of(
          address
              + ": this kernel has no reset_method (before Linux 5.15), so the order cannot be"
              + " chosen; leave the methods out to reset the kernel's way");
    }
    List<String> lacking = order.stream().filter(m -> !methods.offered().contains(m)).toList();
    if (!lacking.isEmpty()) {
      return Optional.of(
          address
              + " offers no '"
              + String.join("', '", lacking)
              + "' reset; it offers: "
              + methods.offeredText()
              + vendorResetHint(methods, lacking));
    }
    return Optional.empty();
  }

  private static String vendorResetHint(ResetMethods methods, List<String> lacking) {
    return lacking.contains(PciResets.DEVICE_SPECIFIC)
            && methods.vendorResetKnows()
            && !methods.vendorResetLoaded()
        ? " (vendor-reset knows this device: load its module " + PciResets.VENDOR_RESET_MODULE + ")"
        : "";
  }

  /**
   * Resets the function: with {@code order} (kernel names; empty: the device's own order) written
   * to {@code reset_method} first and the list it had put back after, then {@code reset}; then
   * checks the device answers (its config space is not all-ones). Under the device's lock.
   *
   * @throws DeviceException naming the device, what failed and what it has now
   */
  public void reset(PciAddress address, List<String> order) {
    requireExists(address);
    Optional<String> refusal = whyNotReset(address, order);
    if (refusal.isPresent()) {
      throw new DeviceException(refusal.get());
    }
    ledger.locked(
        address,
        () -> {
          resetWith(address, order);
          return null;
        });
    if (!configAnswers(address)) {
      throw new DeviceException(
          address
              + ": does not answer after its reset (config space reads all-ones): it is lost to"
              + " the host until a reboot or a remove and rescan");
    }
  }

  /** The function's {@code reset_method} as it reads now; empty when the kernel has none for it. */
  public Optional<String> resetMethodList(PciAddress address) {
    HostPath methodFile = SysfsPaths.device(address, "reset_method");
    return host.exists(methodFile) ? Optional.of(host.read(methodFile).strip()) : Optional.empty();
  }

  /**
   * Sets {@code reset_method} to {@code list}; an empty one disables every method, as it read (a
   * lone newline is the kernel's way to write that).
   */
  public void writeResetMethodList(PciAddress address, String list) {
    host.write(SysfsPaths.device(address, "reset_method"), list.isEmpty() ? "\n" : list);
  }

  private void resetWith(PciAddress address, List<String> order) {
    HostPath reset = SysfsPaths.device(address, "reset");
    if (order.isEmpty()) {
      host.write(reset, "1");
      return;
    }
    HostPath methodFile = SysfsPaths.device(address, "reset_method");
    String before = host.read(methodFile).strip();
    // Journaled, so a process that dies before the list is put back leaves it to the reconcile.
    ledger.apply(
        new Change.ResetMethodsChanged(address, before),
        () -> host.write(methodFile, String.join(" ", order)));
    RuntimeException failed = null;
    try {
      host.write(reset, "1");
    } catch (RuntimeException e) {
      failed = e;
    }
    try {
      writeResetMethodList(address, before);
    } catch (RuntimeException notPutBack) {
      DeviceException both =
          new DeviceException(
              address
                  + ": its reset_method could not be put back to '"
                  + before
                  + "' ("
                  + notPutBack.getMessage()
                  + "); it lists '"
                  + String.join(" ", order)
                  + "'");
      if (failed != null) {
        both.addSuppressed(failed);
      }
      throw both;
    }
    if (failed != null) {
      throw failed;
    }
  }

  private static List<String> words(String text) {
    return Arrays.stream(text.strip().split("\\s+")).filter(w -> !w.isEmpty()).toList();
  }

  /** Waits until the device has {@code driver}, e.g. after a module load probes asynchronously. */
  public void waitForDriver(PciAddress address, DriverName driver, Duration timeout) {
    if (!awaitDriver(address, driver, timeout)) {
      throw new DeviceException(
          address
              + ": no "
              + driver
              + " after "
              + timeout.toMillis()
              + " ms (it has "
              + driver(address).map(DriverName::value).orElse("no driver")
              + ")");
    }
  }

  /** Polls for {@code driver} on the device until {@code timeout}; true once it has it. */
  private boolean awaitDriver(PciAddress address, DriverName driver, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!driver(address).equals(Optional.of(driver))) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(
            Math.min(POLL.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DeviceException(address + ": interrupted while waiting for " + driver);
      }
    }
    return true;
  }

  private static String describe(Duration wait) {
    // A share of a phase's budget arrives a few milliseconds short of the seconds it was given.
    return wait.toMillis() >= 900
        ? Math.round(wait.toMillis() / 1000.0) + " s"
        : wait.toMillis() + " ms";
  }

  void requireExists(PciAddress address) {
    if (!exists(address)) {
      throw new DeviceException("no PCI device " + address + " on this host");
    }
  }

  private void loadModule(DriverName driver) {
    if (host.exists(SysfsPaths.driver(driver))) {
      return;
    }
    CommandResult result = host.run(HostCommand.of("modprobe", driver.value()));
    if (!result.succeeded() && result.status() != CommandResult.Status.NOT_SIMULATED) {
      throw new DeviceException("modprobe " + driver + " failed: " + result.lastLine());
    }
  }

  private int hex(PciAddress address, String attribute) {
    return SysfsPaths.hex(host.read(SysfsPaths.device(address, attribute)));
  }
}
