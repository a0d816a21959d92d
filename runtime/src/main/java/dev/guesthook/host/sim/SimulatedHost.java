package dev.guesthook.host.sim;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostFiles;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.KernelWrites;
import dev.guesthook.host.RiskyWrite;
import dev.guesthook.host.SandboxMarker;
import dev.guesthook.host.tree.FileBackedHost;
import dev.guesthook.host.tree.FileTree;
import dev.guesthook.host.tree.MutableTree;
import dev.guesthook.lock.Locks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A simulated Linux kernel over a host tree laid out like sysfs. Reads see the tree; a write to an
 * attribute the kernel acts on (mdev {@code create}/{@code remove}, {@code sriov_numvfs}, driver
 * binding, NVIDIA {@code current_vgpu_type}) applies the kernel's reaction to the tree or fails
 * with its errno, including what a driver's unbind takes with it (a PF's VFs, an mdev parent's
 * instances and types); a zero-length write reaches no store. {@code ip link} and {@code modprobe}
 * are modelled; other commands are reported as not simulated, never faked. Injected {@link Faults}
 * fire first.
 *
 * <p>Over a sandbox directory the state lives in the tree itself, so a pre-start in one process and
 * a post-stop in another see the same host; over an {@link dev.guesthook.host.tree.OverlayTree} (a
 * dry run) nothing below changes.
 */
public final class SimulatedHost extends FileBackedHost {
  /** A sandbox is a tree {@code guesthook sandbox create} made: it holds this marker. */
  public static final HostPath SANDBOX_MARKER = SandboxMarker.PATH;

  /**
   * Attributes the kernel shows but does not let anyone write (kernfs refuses the open: EACCES).
   */
  private static final Set<String> READ_ONLY =
      Set.of(
          "vendor",
          "device",
          "subsystem_vendor",
          "subsystem_device",
          "class",
          "sriov_totalvfs",
          "sriov_offset",
          "sriov_stride",
          "sriov_vf_device",
          "available_instances",
          "name",
          "description",
          "device_api",
          "creatable_vgpu_types",
          "power_state");

  private final MutableTree tree;

  /**
   * The sandbox's tree, whose multi-file stores survive a kill; absent for a tree only this process
   * uses.
   */
  private final Optional<SandboxTree> sandboxTree;

  private final String description;
  private final Faults faults;

  /** Present for a sandbox on disk, which several processes may share; see {@link #kernelLock}. */
  private final Locks kernelLocks;

  private final Sysfs sysfs;
  private final List<KernelAttribute> attributes;
  private final ConfigSpaceModel configSpace;
  private final IpLinkModel ipLink;
  private final ModprobeModel modprobe;
  private final KernelWrites kernelWrites;
  private final DeferredProbes deferredProbes;

  /**
   * The kernel model over a tree only this process uses (a dry run's overlay, a sandbox being
   * built).
   */
  public SimulatedHost(MutableTree tree, String description) {
    this(tree, tree, Optional.empty(), new Faults(tree), description, null);
  }

  private SimulatedHost(
      MutableTree tree,
      HostFiles marks,
      Optional<SandboxTree> sandboxTree,
      Faults faults,
      String description,
      Locks kernelLocks) {
    super(tree);
    this.tree = tree;
    this.sandboxTree = sandboxTree;
    this.description = description;
    this.faults = faults;
    this.kernelLocks = kernelLocks;
    this.sysfs = new Sysfs(tree);
    NvidiaVgpuModel nvidia = new NvidiaVgpuModel(sysfs);
    this.deferredProbes = new DeferredProbes(sysfs);
    this.attributes =
        List.of(
            new MdevModel(sysfs),
            new SriovModel(sysfs, nvidia),
            new SriovAutoprobe(sysfs),
            nvidia,
            new PciBusModel(sysfs, faults, deferredProbes),
            new ResetModel(sysfs));
    this.configSpace = new ConfigSpaceModel(sysfs);
    this.ipLink = new IpLinkModel(sysfs);
    this.modprobe = new ModprobeModel(sysfs);
    this.kernelWrites = new KernelWrites(marks, this::onKernelThread);
  }

  /**
   * The simulated kernel over a sandbox directory; refuses any other directory (a real node's
   * root).
   */
  public static SimulatedHost sandbox(Path root) {
    if (!Files.isRegularFile(SANDBOX_MARKER.under(root))) {
      throw new IllegalArgumentException(
          root
              + " is not a sandbox (no "
              + SANDBOX_MARKER
              + "); the simulator only acts on trees made by"
              + " 'guesthook sandbox create DIR', so it can never write to a real /sys");
    }
    FileTree files = new FileTree(root);
    Faults faults = new Faults(SandboxTree.atomic(files));
    SandboxTree tree = new SandboxTree(files, faults::inStore);
    SimulatedHost host =
        new SimulatedHost(
            tree,
            files, // wedge marks are guesthook's own files, no store of the simulated kernel
            Optional.of(tree),
            faults,
            "simulated host over " + root,
            new Locks(root.resolve(".simulator/locks")));
    try (Locks.Held kernel = host.kernelLock()) {
      tree.recover(); // a store whose process was killed mid-way is taken back before anyone reads
      // the tree
    }
    return host;
  }

  public MutableTree tree() {
    return tree;
  }

  public Faults faults() {
    return faults;
  }

  public Sysfs sysfs() {
    return sysfs;
  }

  /**
   * A risky write is stored on a thread of its own under {@link KernelWrites}' watch, as the real
   * host makes it in a helper process, so a {@link Faults#hangWrite hang} exercises the same
   * abandon path; the hang holds no lock, as a stuck store of one device holds only that device.
   */
  @Override
  public void write(HostPath path, String value) {
    kernelWrites.write(
        path,
        value,
        () -> {
          faults.delayIfDue(path);
          store(path, value);
        });
  }

  /**
   * A driver link read first lets every probe that has come due bind ({@link Faults#probeLate}), so
   * a driver that answers late is seen arriving by whoever looks, in any process.
   */
  @Override
  public Optional<HostPath> readLink(HostPath path) {
    if (deferredProbes.any()) {
      settleDeferredProbes();
    }
    return super.readLink(path);
  }

  private synchronized void settleDeferredProbes() {
    try (Locks.Held kernel = kernelLock()) {
      asOneChange(() -> deferredProbes.settle(System.currentTimeMillis()));
    }
  }

  private KernelWrites.PendingWrite onKernelThread(RiskyWrite write) {
    return KernelThreadWrite.start(
        () -> {
          faults.hangIfDue(write.path());
          faults.delayIfDue(write.path());
          store(write.path(), write.value());
        });
  }

  private synchronized void store(HostPath path, String value) {
    faults.beforeChange(path);
    if (isSysfs(path)) {
      if (!tree.exists(path)) {
        // Opening an attribute that is not there fails before any store function sees the value.
        throw new HostException("ENOENT", path + ": No such file or directory");
      }
      if (value.isEmpty()) {
        return; // sysfs_kf_write: a zero-length write never reaches the store.
      }
    }
    faults.beforeWrite(path);
    faults.crashPoint();
    try (Locks.Held kernel = kernelLock()) {
      asOneChange(
          () -> {
            KernelAttribute model =
                attributes.stream().filter(a -> a.handles(path)).findFirst().orElse(null);
            if (model != null) {
              model.store(path, value);
            } else {
              plainStore(path, value);
            }
            faults.vanishingAfter(path).filter(sysfs::hasDevice).ifPresent(sysfs::removeDevice);
          });
    }
    faults.crashPoint();
  }

  @Override
  public synchronized void createDirectories(HostPath directory) {
    faults.beforeChange(directory);
    super.createDirectories(directory);
  }

  @Override
  public synchronized void delete(HostPath path) {
    faults.beforeChange(path);
    super.delete(path);
  }

  /**
   * A store or command changes several files; in a sandbox a kill mid-way must not leave half of
   * them.
   */
  private void asOneChange(Runnable change) {
    sandboxTree.ifPresentOrElse(sandbox -> sandbox.asOneChange(change), change);
  }

  /**
   * The kernel's stores are atomic to every process; the simulated kernel's state is files, so a
   * lock across processes makes each store and command one step, as the one-shot path and the
   * resident runtime may act on one sandbox at once.
   */
  private Locks.Held kernelLock() {
    if (kernelLocks == null) {
      return () -> {};
    }
    return kernelLocks.acquire(
        "kernel",
        "simulated kernel (pid " + ProcessHandle.current().pid() + ")",
        Duration.ofSeconds(30));
  }

  /** A function's {@code config} is read from the device, as the model builds it. */
  @Override
  public byte[] readBytes(HostPath path, int max) {
    return configSpace.read(path, max).orElseGet(() -> super.readBytes(path, max));
  }

  /** sysfs cannot create files, and refuses writes to attributes without a store function. */
  private void plainStore(HostPath path, String value) {
    if (isSysfs(path) && READ_ONLY.contains(path.name())) {
      throw new HostException("EACCES", path + ": Permission denied (read-only attribute)");
    }
    tree.write(path, value);
  }

  private static boolean isSysfs(HostPath path) {
    return !path.segments().isEmpty() && path.segments().get(0).equals("sys");
  }

  /**
   * Free space as the sandbox declares it in {@code /.simulator/disk-free} ({@code <path> <bytes>}
   * per line, the longest matching path wins), so tests can fill a storage; else the sandbox's own
   * disk.
   */
  @Override
  public long usableBytes(HostPath path) {
    HostPath declared = Sysfs.PRIVATE.resolve("disk-free");
    if (tree.exists(declared)) {
      long best = -1;
      int bestLength = -1;
      for (String line : Sysfs.lines(tree.read(declared))) {
        String[] f = line.trim().split("\\s+");
        HostPath mount = HostPath.parse(f[0]);
        if (path.startsWith(mount) && mount.segments().size() > bestLength) {
          bestLength = mount.segments().size();
          best = Long.parseLong(f[1]);
        }
      }
      if (best >= 0) {
        return best;
      }
    }
    return super.usableBytes(path);
  }

  @Override
  public synchronized CommandResult run(HostCommand command) {
    var injected = faults.beforeCommand(command);
    if (injected.isPresent()) {
      return injected.get();
    }
    if (!command.readOnly()) {
      faults.crashPoint();
    }
    CommandResult result;
    try (Locks.Held kernel = kernelLock()) {
      CommandResult[] simulated = new CommandResult[1];
      asOneChange(() -> simulated[0] = simulate(command));
      result = simulated[0];
    }
    if (!command.readOnly()) {
      faults.crashPoint();
    }
    return result;
  }

  private CommandResult simulate(HostCommand command) {
    String program = Path.of(command.argv().get(0)).getFileName().toString();
    return switch (program) {
      case "ip" -> ipLink.run(command.argv());
      case "modprobe" -> modprobe.run(command.argv());
      default ->
          new CommandResult(
              CommandResult.Status.NOT_SIMULATED,
              127,
              "not simulated: " + command.display() + "\n");
    };
  }

  @Override
  public String describe() {
    return description;
  }
}
