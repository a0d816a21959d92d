package dev.guesthook.core.hookhost;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.VmId;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a hook saved about the host before changing it, kept until the VM's next phase in another
 * process: {@code /run/guesthook/state/<vmid>/<hook>.json}. /run is emptied at boot, as the device
 * state it describes is.
 */
public final class HookState {
  private static final ObjectMapper JSON = Json.MAPPER;
  private final HostPort host;
  private final HostPath file;
  private final Consumer<Optional<String>> firstSave;
  private boolean saved;

  /**
   * {@code firstSave} runs before the first save with the file's text as it was (empty when there
   * was none), e.g. to put it back on rollback with {@link #putBack}.
   */
  HookState(HostPort host, VmId vmid, String hook, Consumer<Optional<String>> firstSave) {
    this.host = host;
    this.file = HostPath.of("run", "guesthook", "state", vmid.toString(), hook + ".json");
    this.firstSave = firstSave;
  }

  public Map<String, Object> load() {
    if (!host.exists(file)) {
      return new LinkedHashMap<>();
    }
    try {
      return JSON.readValue(host.read(file), new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      throw new HostException("EINVAL", file + ": unreadable saved state: " + e.getMessage());
    }
  }

  public boolean isEmpty() {
    return !host.exists(file);
  }

  public void save(Map<String, ?> state) {
    if (!saved) {
      saved = true;
      firstSave.accept(host.exists(file) ? Optional.of(host.read(file)) : Optional.empty());
    }
    try {
      write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state) + "\n");
    } catch (IOException e) {
      throw new HostException("EIO", file + ": " + e.getMessage());
    }
  }

  /**
   * The state as {@code firstSave} was given it: that text again, or no state when there was none.
   */
  public void putBack(Optional<String> earlier) {
    earlier.ifPresentOrElse(this::write, this::clear);
  }

  private void write(String text) {
    host.createDirectories(file.parent());
    host.write(file, text);
  }

  /**
   * Forgets what every hook saved for the guest, once a reconcile has put back what it describes: a
   * later post-stop must not restore from it again.
   */
  public static void forgetAll(HostPort host, VmId vmid) {
    HostPath folder = HostPath.of("run", "guesthook", "state", vmid.toString());
    if (!host.exists(folder)) {
      return;
    }
    for (String name : host.list(folder)) {
      host.delete(folder.resolve(name));
    }
    host.delete(folder);
  }

  /** Forgets the state; the VM's folder goes too once no hook has state there. */
  public void clear() {
    if (host.exists(file)) {
      host.delete(file);
    }
    if (host.exists(file.parent()) && host.list(file.parent()).isEmpty()) {
      host.delete(file.parent());
    }
  }
}
