package dev.guesthook.pve;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.tree.FileBackedHost;
import dev.guesthook.id.VmId;
import java.util.List;
import java.util.Set;

/**
 * Proxmox holds a guest's config lock while its hookscript runs, so a hook that runs {@code qm set}
 * (or any other locking qm/pct command) on the same guest would wait for itself forever. Such
 * commands are refused here, before they can hang the start.
 */
public final class ConfigLockGuard extends FileBackedHost {
  /** qm/pct subcommands that only read and take no config lock. */
  private static final Set<String> READ_ONLY =
      Set.of("config", "status", "pending", "showcmd", "list", "listsnapshot", "cloudinit", "help");

  private final HostPort delegate;
  private final VmId vmid;

  public ConfigLockGuard(HostPort delegate, VmId vmid) {
    super(delegate);
    this.delegate = delegate;
    this.vmid = vmid;
  }

  @Override
  public CommandResult run(HostCommand command) {
    List<String> argv = command.argv();
    String tool = argv.get(0).substring(argv.get(0).lastIndexOf('/') + 1);
    boolean guestTool = tool.equals("qm") || tool.equals("pct");
    if (guestTool
        && argv.size() >= 3
        && argv.get(2).equals(vmid.toString())
        && !READ_ONLY.contains(argv.get(1))) {
      throw new HostException(
          "EDEADLK",
          "refused '"
              + command.display()
              + "': Proxmox holds the config lock of guest "
              + vmid
              + " while its hookscript runs, so this would wait forever");
    }
    return delegate.run(command);
  }

  @Override
  public String describe() {
    return delegate.describe();
  }
}
