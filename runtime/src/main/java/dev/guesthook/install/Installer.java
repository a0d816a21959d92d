package dev.guesthook.install;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.config.SettingsLoader;
import dev.guesthook.files.SafeFiles;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.Printable;
import dev.guesthook.id.VmId;
import dev.guesthook.json.Json;
import dev.guesthook.pve.GuestType;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.Storage;
import dev.guesthook.pve.StorageConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Attaches guesthook to guests and detaches it, the way an admin would by hand: the hookscript
 * client on a storage with {@code snippets}, {@code qm set <vmid> --hookscript
 * <storage>:snippets/guesthook} (or {@code pct set}), and a guest's own earlier hookscript copied
 * into its hook folder so it keeps running as a hook. Proxmox's files are only read: every change
 * to a guest goes through {@code qm} or {@code pct}. What was done for each guest is kept in {@code
 * /var/lib/guesthook/install/<vmid>.json}, so {@code uninstall} undoes exactly that.
 */
public final class Installer {
  public static final String SNIPPET = "guesthook";
  private static final ObjectMapper JSON = Json.MAPPER;

  private final Path root;
  private final HostPort host;
  private final Pve pve;
  private final String node;
  private final Path oneShot;

  /** {@code oneShot}: the launcher the client falls back to when the resident runtime is down. */
  public Installer(Path root, HostPort host, String node, Path oneShot) {
    this.root = root;
    this.host = host;
    this.pve = new Pve(host);
    this.node = node;
    this.oneShot = oneShot;
  }

  /** Every guest on this node, containers included. */
  public List<VmId> allGuests() {
    return pve.guests();
  }

  public Plan install(Optional<String> storageId, List<VmId> guests) throws PveFileException {
    Plan plan = new Plan();
    StorageConfig storages = pve.storageConfig();
    Optional<Storage> storage = chooseStorage(storages, storageId, plan);
    if (storage.isEmpty()) {
      return plan;
    }
    SnippetVolume target = new SnippetVolume(storage.get().id(), SNIPPET);
    Path snippet = snippetPath(storage.get(), SNIPPET);
    String client = clientScript();
    if (Files.exists(snippet) && client.equals(readOrEmpty(snippet))) {
      plan.unchanged(snippet + " is the current hookscript client");
    } else {
      plan.step(
          "write the hookscript client to " + hostPath(snippet) + " (mode 0755)",
          () -> writeExecutable(snippet, client),
          asItIs(snippet, true));
    }
    if (!storage.get().shared() && clusterNodes() > 1) {
      plan.warn(
          "storage '"
              + storage.get().id()
              + "' is not shared: a guest migrated to another node finds no "
              + "guesthook snippet there; run guesthook install on every node, or use a shared storage (--storage)");
    }
    for (VmId vmid : guests) {
      attach(vmid, target, storages, plan);
    }
    return plan;
  }

  private void attach(VmId vmid, SnippetVolume target, StorageConfig storages, Plan plan)
      throws PveFileException {
    Optional<GuestType> type = pve.guestType(vmid);
    if (type.isEmpty()) {
      plan.refuse(
          "VM "
              + vmid
              + ": no guest config on this node (/etc/pve/qemu-server/"
              + vmid
              + ".conf or /etc/pve/lxc/"
              + vmid
              + ".conf)");
      return;
    }
    Optional<String> current = pve.config(type.get(), vmid).hookscript();
    if (current.equals(Optional.of(target.toString()))) {
      plan.unchanged("VM " + vmid + " already runs " + target);
      return;
    }
    Optional<Path> kept = Optional.empty();
    if (current.isPresent()) {
      Optional<Path> earlier = earlierHookscript(vmid, current.get(), storages, plan);
      if (earlier.isEmpty()) {
        return;
      }
      Path copy =
          root.resolve(SettingsLoader.ADMIN_HOOKS)
              .resolve(vmid.toString())
              .resolve(earlier.get().getFileName());
      if (Files.exists(copy) && !sameContent(copy, earlier.get())) {
        plan.refuse(
            "VM "
                + vmid
                + ": "
                + hostPath(copy)
                + " exists and differs from its hookscript "
                + current.get()
                + "; move one of them aside first");
        return;
      }
      Set<PosixFilePermission> mode = copiedMode(earlier.get());
      plan.step(
          "VM "
              + vmid
              + ": copy its hookscript "
              + current.get()
              + " to "
              + hostPath(copy)
              + ", where it runs as a hook"
              + " (mode "
              + octal(mode)
              + ", as it is)",
          () -> write(copy, read(earlier.get()), mode),
          asItIs(copy, true));
      if (!mode.contains(PosixFilePermission.OWNER_EXECUTE)) {
        plan.warn(
            "VM "
                + vmid
                + ": its hookscript "
                + current.get()
                + " is not executable, so Proxmox refused to start the"
                + " guest with it; the copy fails its phases the same way until 'chmod +x "
                + hostPath(copy)
                + "'");
      }
      kept = Optional.of(copy);
    }
    setStep(plan, type.get(), vmid, hookscriptOptions(current), "--hookscript", target.toString());
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("hookscript", target.toString());
    record.put("previous", current.orElse(null));
    record.put("copy", kept.map(this::hostPath).orElse(null));
    plan.step(
        "VM " + vmid + ": remember it in " + hostPath(recordFile(vmid)),
        () -> writeRecord(vmid, record),
        asItIs(recordFile(vmid), false));
  }

  /** The file behind a guest's current hookscript, or a refusal saying why it cannot be kept. */
  private Optional<Path> earlierHookscript(
      VmId vmid, String volume, StorageConfig storages, Plan plan) {
    try {
      SnippetVolume earlier = SnippetVolume.parse(volume);
      Optional<Storage> storage = storages.get(earlier.storage()).filter(Storage::isFileBased);
      Path file = storage.map(s -> snippetPath(s, earlier.file())).orElse(null);
      if (file == null || !Files.isRegularFile(file)) {
        plan.refuse(
            "VM "
                + vmid
                + ": its hookscript "
                + volume
                + " is not a file on this node; fix or remove it first"
                + " (qm set "
                + vmid
                + " --delete hookscript)");
        return Optional.empty();
      }
      return Optional.of(file);
    } catch (IllegalArgumentException e) {
      plan.refuse("VM " + vmid + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<Storage> chooseStorage(
      StorageConfig storages, Optional<String> wanted, Plan plan) {
    if (wanted.isPresent()) {
      Optional<Storage> storage = storages.get(wanted.get());
      if (storage.isEmpty()) {
        plan.refuse(
            "no storage '"
                + Printable.of(wanted.get())
                + "' in /etc/pve/storage.cfg; it has: "
                + String.join(", ", storages.storages().keySet()));
        return Optional.empty();
      }
      return usable(storage.get(), plan) ? storage : Optional.empty();
    }
    List<Storage> candidates =
        storages.storages().values().stream()
            .filter(
                s ->
                    s.isFileBased()
                        && s.content().contains("snippets")
                        && s.unavailableOn(node).isEmpty())
            .sorted((a, b) -> Boolean.compare(b.shared(), a.shared()))
            .toList();
    if (candidates.isEmpty()) {
      Optional<Storage> local = storages.get("local");
      plan.refuse(
          "no storage on node "
              + node
              + " takes snippets"
              + local
                  .map(
                      l ->
                          "; fix: pvesm set local --content "
                              + String.join(",", withSnippets(l))
                              + " (or name another with --storage)")
                  .orElse(
                      "; add the 'snippets'"
                          + " content type to a directory storage (pvesm set ID --content ...,snippets)"));
      return Optional.empty();
    }
    return Optional.of(candidates.get(0));
  }

  private boolean usable(Storage storage, Plan plan) {
    Optional<String> unavailable = storage.unavailableOn(node);
    if (unavailable.isPresent()) {
      plan.refuse(unavailable.get());
      return false;
    }
    if (!storage.isFileBased()) {
      plan.refuse(
          "storage '"
              + storage.id()
              + "' ("
              + storage.type()
              + ") has no file path, so it cannot hold the"
              + " hookscript; choose a directory-like storage (dir, nfs, cifs, cephfs) with --storage");
      return false;
    }
    if (!storage.content().contains("snippets")) {
      plan.refuse(
          "storage '"
              + storage.id()
              + "' does not take snippets; fix: pvesm set "
              + storage.id()
              + " --content "
              + String.join(",", withSnippets(storage)));
      return false;
    }
    return true;
  }

  private static List<String> withSnippets(Storage storage) {
    List<String> content = new ArrayList<>(storage.content().stream().sorted().toList());
    content.add("snippets");
    return content;
  }

  /** Detaches guesthook from these guests, putting back the hookscript each had before. */
  public Plan uninstall(List<VmId> guests) throws PveFileException {
    Plan plan = new Plan();
    for (VmId vmid : guests) {
      detach(vmid, plan);
    }
    return plan;
  }

  private void detach(VmId vmid, Plan plan) throws PveFileException {
    Path recordFile = recordFile(vmid);
    if (!Files.exists(recordFile, LinkOption.NOFOLLOW_LINKS)) {
      plan.unchanged("VM " + vmid + ": guesthook install did not attach it");
      return;
    }
    Map<?, ?> record;
    try {
      // Read as guesthook wrote it: a planted link or a record someone else can edit would choose
      // what root deletes.
      record = JSON.readValue(SafeFiles.readString(recordFile).orElseThrow(), Map.class);
    } catch (IOException e) {
      plan.refuse("VM " + vmid + ": " + hostPath(recordFile) + " is unreadable: " + e.getMessage());
      return;
    }
    Optional<GuestType> type = pve.guestType(vmid);
    Optional<String> current =
        type.isPresent() ? pve.config(type.get(), vmid).hookscript() : Optional.empty();
    Object previous = record.get("previous");
    if (type.isPresent()
        && current.equals(Optional.ofNullable((String) record.get("hookscript")))) {
      String[] back =
          previous != null
              ? new String[] {"--hookscript", SnippetVolume.parse((String) previous).toString()}
              : new String[] {"--delete", "hookscript"};
      setStep(plan, type.get(), vmid, hookscriptOptions(current), back);
    } else {
      plan.warn(
          "VM "
              + vmid
              + ": its hookscript is now "
              + current.orElse("none")
              + ", not guesthook's; left as it is");
    }
    if (record.get("copy") instanceof String copy) {
      Path file = root.resolve(copy.substring(1));
      plan.step(
          "VM " + vmid + ": remove the copy of its hookscript, " + copy,
          () -> {
            Files.deleteIfExists(file);
            deleteIfEmpty(file.getParent());
          },
          asItIs(file, true));
    }
    plan.step(
        "VM " + vmid + ": forget " + hostPath(recordFile),
        () -> Files.delete(recordFile),
        asItIs(recordFile, false));
  }

  /**
   * A step that runs {@code qm set <vmid> ...} (or {@code pct set} for a container), said as it
   * runs; taken back with {@code undoOptions}.
   */
  private void setStep(
      Plan plan, GuestType type, VmId vmid, String[] undoOptions, String... options) {
    List<String> argv = new ArrayList<>(List.of(type.tool(), "set", vmid.toString()));
    argv.addAll(List.of(options));
    List<String> undo = new ArrayList<>(List.of(type.tool(), "set", vmid.toString()));
    undo.addAll(List.of(undoOptions));
    plan.step(
        "VM " + vmid + ": " + String.join(" ", argv),
        () -> run(argv.toArray(String[]::new)),
        () -> run(undo.toArray(String[]::new)));
  }

  /** The options that set a guest's hookscript back to {@code current} (none: deleted). */
  private static String[] hookscriptOptions(Optional<String> current) {
    return current
        .map(volume -> new String[] {"--hookscript", volume})
        .orElse(new String[] {"--delete", "hookscript"});
  }

  /**
   * Takes a file back to what it holds now, or to not being there (and its folder, if that is then
   * empty), as the undo of a step that writes or removes it.
   */
  private static Plan.Action asItIs(Path file, boolean executable) {
    Optional<String> now =
        Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
            ? Optional.of(readOrEmpty(file))
            : Optional.empty();
    Path firstMade = file.getParent(); // the outermost folder the step would make
    while (firstMade.getParent() != null
        && !Files.exists(firstMade.getParent(), LinkOption.NOFOLLOW_LINKS)) {
      firstMade = firstMade.getParent();
    }
    boolean madeFolders = !Files.exists(firstMade, LinkOption.NOFOLLOW_LINKS);
    Path outermost = firstMade;
    return () -> {
      if (now.isEmpty()) {
        Files.deleteIfExists(file);
        for (Path folder = file.getParent();
            madeFolders && folder.startsWith(outermost);
            folder = folder.getParent()) {
          deleteIfEmpty(folder);
        }
      } else if (executable) {
        writeExecutable(file, now.get());
      } else {
        SafeFiles.writeString(file, now.get());
      }
    };
  }

  private Path recordFile(VmId vmid) {
    return root.resolve("var/lib/guesthook/install").resolve(vmid + ".json");
  }

  private void writeRecord(VmId vmid, Map<String, Object> record) throws IOException {
    SafeFiles.writeString(
        recordFile(vmid), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(record) + "\n");
  }

  private void run(String... argv) {
    CommandResult result = host.run(HostCommand.of(argv));
    if (!result.succeeded()) {
      throw new InstallException(
          String.join(" ", argv)
              + " failed: "
              + (result.lastLine().isEmpty()
                  ? result.status().name().toLowerCase(Locale.ROOT)
                  : result.lastLine()));
    }
  }

  private int clusterNodes() {
    Path nodes = root.resolve("etc/pve/nodes");
    try (var entries = Files.list(nodes)) {
      return (int) entries.count();
    } catch (IOException e) {
      return 1;
    }
  }

  private Path snippetPath(Storage storage, String file) {
    return SnippetVolume.fileOn(root, storage, file);
  }

  /** The client, falling back to this installation's one-shot launcher when the runtime is down. */
  String clientScript() {
    return clientScript(oneShot);
  }

  /** The client, falling back to {@code oneShot} when the runtime is down. */
  public static String clientScript(Path oneShot) {
    try (InputStream in = Installer.class.getResourceAsStream("guesthook-hookscript")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.replace(
          "'GUESTHOOK_ONESHOT', '/usr/bin/guesthook'",
          "'GUESTHOOK_ONESHOT', '" + perlQuoted(oneShot.toString()) + "'");
    } catch (IOException | NullPointerException e) {
      throw new InstallException("the hookscript client is missing from the runtime jar: " + e);
    }
  }

  /** The text of a perl single-quoted string: only the backslash and the quote are special. */
  public static String perlQuoted(String text) {
    return text.replace("\\", "\\\\").replace("'", "\\'");
  }

  private String hostPath(Path file) {
    return "/" + root.relativize(file);
  }

  private static boolean sameContent(Path a, Path b) {
    return readOrEmpty(a).equals(readOrEmpty(b));
  }

  private static String readOrEmpty(Path file) {
    try {
      return read(file);
    } catch (IOException e) {
      return "";
    }
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private static void writeExecutable(Path file, String text) throws IOException {
    write(file, text, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static void write(Path file, String text, Set<PosixFilePermission> mode)
      throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, mode);
  }

  /**
   * The mode of a guest's earlier hookscript, for its copy: executable only if it was, since
   * Proxmox runs it only then (PVE::GuestHelpers::check_hookscript), and never writable by group or
   * others, which the hook loader refuses.
   */
  private static Set<PosixFilePermission> copiedMode(Path earlier) {
    Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
    try {
      mode.addAll(Files.getPosixFilePermissions(earlier));
    } catch (IOException e) {
      throw new InstallException(earlier + ": cannot read its mode: " + e.getMessage());
    }
    mode.removeAll(EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
    return mode;
  }

  /**
   * A mode as chmod writes it (0755): PosixFilePermission lists owner, group, others, each read,
   * write, execute.
   */
  private static String octal(Set<PosixFilePermission> mode) {
    int bits = 0;
    for (PosixFilePermission permission : mode) {
      bits |= 1 << (8 - permission.ordinal());
    }
    return String.format(Locale.ROOT, "%04o", bits);
  }

  private static void deleteIfEmpty(Path folder) throws IOException {
    if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var entries = Files.list(folder)) {
      if (entries.findAny().isEmpty()) {
        Files.delete(folder);
      }
    }
  }
}
