package dev.guesthook.core.hookhost;

import dev.guesthook.core.dispatch.Hook;
import dev.guesthook.core.settings.SettingsSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The hooks found for one run, in run order, with what was refused or ignored and why, how many
 * hook files were compiled versus taken from the cache, and the text each Groovy file whose hooks
 * are in the catalog was loaded from (by file; interned, so guests' copies of one text share it): a
 * resident runtime that lets an idle guest's catalog go keeps only these, to load again the
 * versions that worked when a file changes into one that does not load.
 */
public record HookCatalog(
    List<Hook> hooks,
    List<Notice> notices,
    int compiled,
    int cached,
    Optional<String> cacheProblem,
    Map<String, String> workingTexts) {

  /** Something about a file in a hook folder that the admin should know. */
  public record Notice(String file, Severity severity, String message) {}

  static final String MASKS = "masks any hook file named ";

  public enum Severity {
    /** The file is not used as a hook, on purpose (masked, not executable, editor backup). */
    IGNORED,
    /** The file was refused or could not be loaded. */
    ERROR,
    /** The changed file could not be loaded; the version loaded before it stays active. */
    KEPT_PREVIOUS
  }

  /**
   * This catalog, where a hook file that now fails to load had loaded in {@code previous}: that
   * version stays (a resident runtime keeps running the hook it had), with a notice saying why.
   */
  public HookCatalog keepingWorkingVersionsOf(HookCatalog previous) {
    List<Hook> kept = new ArrayList<>(hooks);
    List<Notice> said = new ArrayList<>(notices);
    Map<String, String> texts = new LinkedHashMap<>(workingTexts);
    for (int i = 0; i < kept.size(); i++) {
      Hook hook = kept.get(i);
      Optional<String> error = loadError(hook);
      Optional<Hook> working =
          previous.hooks().stream()
              .filter(old -> old.origin().equals(hook.origin()) && loadError(old).isEmpty())
              .findFirst();
      if (error.isPresent() && working.isPresent()) {
        kept.set(i, working.get());
        Optional.ofNullable(previous.workingTexts().get(hook.origin()))
            .ifPresent(text -> texts.put(hook.origin(), text));
        said.removeIf(n -> n.file().equals(hook.origin()) && n.severity() == Severity.ERROR);
        said.add(
            new Notice(
                hook.origin(),
                Severity.KEPT_PREVIOUS,
                "the changed file does not load ("
                    + error.get()
                    + "); the version loaded before stays active"));
      }
    }
    return new HookCatalog(
        List.copyOf(kept), List.copyOf(said), compiled, cached, cacheProblem, Map.copyOf(texts));
  }

  /** The files of this catalog that did not load. */
  public Set<String> filesThatFailed() {
    Set<String> files = new TreeSet<>();
    hooks.stream().filter(hook -> loadError(hook).isPresent()).forEach(h -> files.add(h.origin()));
    return files;
  }

  /**
   * Each loaded hook's declared settings, by hook name. A hook that declares none (an executable
   * hookscript, a Groovy hook without {@code settings { }}) takes none, so settings given to it are
   * refused and a misspelt hook name is never silently ignored.
   */
  public Map<String, SettingsSchema> settingsSchemas() {
    Map<String, SettingsSchema> out = new LinkedHashMap<>();
    hooks.forEach(hook -> out.put(hook.name(), settingsOf(hook)));
    return out;
  }

  public static SettingsSchema settingsOf(Hook hook) {
    if (hook instanceof GroovyHook groovy) {
      return groovy.settings();
    }
    return hook instanceof BrokenHook broken ? broken.settings() : SettingsSchema.NONE;
  }

  /**
   * Names whose settings are no error although no loaded hook declares them: hook files an admin
   * masked, and files that do not load (their own error says what is wrong), by file name.
   */
  public Set<String> namesNotChecked() {
    Set<String> names = new TreeSet<>();
    for (Notice notice : notices) {
      if (notice.severity() == Severity.ERROR || notice.message().startsWith(MASKS)) {
        // The name by its text: a file name the JVM cannot encode back (non-ASCII under Proxmox's
        // LC_ALL=C) made Path.of throw, and failed every phase (adversary pass, report-adv-s20)
        String file = notice.file();
        names.add(file.substring(file.lastIndexOf('/') + 1).replaceFirst("\\.groovy$", ""));
      }
    }
    return names;
  }

  public List<Notice> errors() {
    return notices.stream().filter(n -> n.severity() == Severity.ERROR).toList();
  }

  /** The load error of a hook, when it stands for a file that could not be loaded. */
  public static Optional<String> loadError(Hook hook) {
    return hook instanceof BrokenHook broken ? Optional.of(broken.error()) : Optional.empty();
  }
}
