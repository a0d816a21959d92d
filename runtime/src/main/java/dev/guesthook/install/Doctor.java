package dev.guesthook.install;

import dev.guesthook.check.CheckItem;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.WedgedDevices;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.Journal;
import dev.guesthook.journal.JournalFolder;
import dev.guesthook.journal.JournalReading;
import dev.guesthook.journal.Reconciler;
import dev.guesthook.pve.GuestType;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.Storage;
import dev.guesthook.pve.StorageConfig;
import dev.guesthook.record.Recordings;
import dev.guesthook.serve.ResidentRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything between Proxmox and the hooks, checked and never changed: the resident runtime and its
 * socket, each guest's hookscript (guesthook's client present and executable where Proxmox will
 * look for it, or another script instead), hook files that do not load, devices a kernel write hung
 * on, journals of guests that are no longer running, and recordings of guests no longer on this
 * node. Each line says pass, warn or fail, and the fix.
 */
public final class Doctor {
  private final Path root;
  private final HostPort host;
  private final Pve pve;
  private final String node;

  public Doctor(Path root, HostPort host, String node) {
    this.root = root;
    this.host = host;
    this.pve = new Pve(host);
    this.node = node;
  }

  public List<CheckItem> examine(
      HookCatalog hooks, Path journalDirectory, Path recordingDirectory, List<VmId> guests)
      throws PveFileException {
    List<CheckItem> items = new ArrayList<>();
    items.add(service());
    items.add(socket());
    StorageConfig storages = pve.storageConfig();
    for (VmId vmid : guests) {
      items.add(hookscript(vmid, storages));
    }
    hooks
        .errors()
        .forEach(
            error ->
                items.add(
                    CheckItem.fail(
                        "hook " + Path.of(error.file()).getFileName(), error.message())));
    if (hooks.errors().isEmpty() && hooks.hooks().isEmpty()) {
      items.add(
          CheckItem.warn(
              "hooks",
              "no hook file in the hook folders: guesthook runs nothing for any guest;"
                  + " fix: check hook-dirs in /etc/guesthook/guesthook.yaml"));
    } else if (hooks.errors().isEmpty()) {
      items.add(CheckItem.pass("hooks", hooks.hooks().size() + " hook(s) load"));
    }
    items.addAll(wedgedDevices());
    items.addAll(journals(journalDirectory));
    items.addAll(recordings(recordingDirectory, guests));
    return items;
  }

  /** Devices a kernel write hung on: every write to them is refused until the mark is cleared. */
  private List<CheckItem> wedgedDevices() {
    return new WedgedDevices(host)
        .all().stream()
            .map(
                wedge ->
                    CheckItem.fail(
                        "device " + wedge.device(),
                        "wedged: " + wedge.stuck() + "; fix: " + wedge.fix()))
            .toList();
  }

  /**
   * Journals of guests that are not running (something was not put back), journal lines that cannot
   * be read (kept, with what they may hold, until a person looks), and files that are no journal.
   */
  private List<CheckItem> journals(Path directory) {
    JournalFolder folder = JournalFolder.list(directory);
    List<CheckItem> items = new ArrayList<>();
    folder
        .strays()
        .forEach(
            stray ->
                items.add(
                    CheckItem.warn(
                        "journal folder",
                        shown(stray)
                            + ": not a <vmid>.jsonl journal, never read; fix: move it out of "
                            + shown(directory))));
    for (VmId vmid : folder.guests()) {
      JournalReading reading = new Journal(directory, vmid).read();
      reading
          .problems()
          .forEach(
              problem ->
                  items.add(CheckItem.warn("journal of VM " + vmid, Reconciler.describe(problem))));
      if (!reading.changes().isEmpty() && !pve.isRunning(vmid)) {
        items.add(
            CheckItem.warn(
                "journal of VM " + vmid,
                "lists devices, but VM "
                    + vmid
                    + " is not running"
                    + " (a start failing, or a migration away, skips post-stop); fix: guesthook reconcile --vm "
                    + vmid));
      }
    }
    return items;
  }

  /**
   * Recordings of guests this node no longer has (destroyed, or migrated away: the guest's own are
   * recorded on its new node) are history nobody replays here; they are kept until removed by hand.
   */
  private List<CheckItem> recordings(Path directory, List<VmId> guests) {
    Map<VmId, Long> recorded;
    try {
      recorded = Recordings.guests(directory);
    } catch (IOException e) {
      return List.of(
          CheckItem.warn(
              "recordings",
              "cannot read "
                  + shown(directory)
                  + ": "
                  + e.getMessage()
                  + "; fix: run guesthook doctor as root"));
    }
    List<CheckItem> items = new ArrayList<>();
    recorded.forEach(
        (vmid, files) -> {
          if (!guests.contains(vmid)) {
            items.add(
                CheckItem.warn(
                    "recordings of VM " + vmid,
                    files
                        + " file(s), but VM "
                        + vmid
                        + " is not on this node"
                        + " (destroyed, or migrated away); fix: rm "
                        + shown(directory)
                        + "/"
                        + vmid
                        + "-*.jsonl*"));
          }
        });
    if (items.isEmpty()) {
      items.add(CheckItem.pass("recordings", "every recorded guest is on this node"));
    }
    return items;
  }

  /** A path as it is on the node: under the root, which is / there. */
  private String shown(Path path) {
    return "/" + root.relativize(path);
  }

  private CheckItem service() {
    CommandResult result =
        host.run(HostCommand.query("systemctl", "is-active", "guesthook.service"));
    if (result.succeeded()) {
      return CheckItem.pass(
          "guesthook.service", "active: phases are answered by the resident runtime");
    }
    String state = result.status() == CommandResult.Status.RAN ? result.lastLine() : "unknown here";
    return CheckItem.warn(
        "guesthook.service",
        (state.isEmpty() ? "not active" : state)
            + ": every phase starts a JVM"
            + " (a few hundred ms per start); fix: systemctl enable --now guesthook.service");
  }

  private CheckItem socket() {
    Path socket = root.resolve(ResidentRuntime.SOCKET);
    return Files.exists(socket)
        ? CheckItem.pass("socket", "/" + ResidentRuntime.SOCKET + " is there")
        : CheckItem.warn(
            "socket",
            "/"
                + ResidentRuntime.SOCKET
                + " is absent: the client falls back to the one-shot"
                + " path; fix: systemctl start guesthook.service");
  }

  private CheckItem hookscript(VmId vmid, StorageConfig storages) throws PveFileException {
    String subject = "VM " + vmid + " hookscript";
    Optional<GuestType> type = pve.guestType(vmid);
    Optional<String> volume =
        type.isPresent() ? pve.config(type.get(), vmid).hookscript() : Optional.empty();
    if (volume.isEmpty()) {
      return CheckItem.warn(
          subject, "none: guesthook does not run for it; fix: guesthook install --vm " + vmid);
    }
    SnippetVolume snippet;
    try {
      snippet = SnippetVolume.parse(volume.get());
    } catch (IllegalArgumentException e) {
      return CheckItem.fail(subject, e.getMessage() + "; fix: guesthook install --vm " + vmid);
    }
    if (!snippet.file().equals(Installer.SNIPPET)) {
      return CheckItem.warn(
          subject,
          volume.get()
              + ", not guesthook; fix: guesthook install --vm "
              + vmid
              + " (keeps that script as one of its hooks)");
    }
    Optional<Storage> storage = storages.get(snippet.storage());
    Optional<String> why =
        storage.isEmpty()
            ? Optional.of("storage '" + snippet.storage() + "' is not in storage.cfg")
            : storage
                .get()
                .unavailableOn(node)
                .or(
                    () ->
                        storage.get().path().isEmpty()
                            ? Optional.of("storage '" + snippet.storage() + "' has no path")
                            : Optional.empty());
    if (why.isPresent()) {
      return CheckItem.fail(
          subject,
          volume.get()
              + ": "
              + why.get()
              + "; Proxmox will not start it;"
              + " fix: guesthook install --vm "
              + vmid
              + " --storage <a snippets storage>");
    }
    Path file = SnippetVolume.fileOn(root, storage.get(), snippet.file());
    if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
      return CheckItem.fail(
          subject,
          volume.get()
              + ": "
              + shown(file)
              + (Files.exists(file) ? " is not executable" : " is missing")
              + " on this node; Proxmox will not start the VM; fix: guesthook install --vm "
              + vmid
              + " --storage "
              + snippet.storage());
    }
    return CheckItem.pass(subject, volume.get());
  }
}
