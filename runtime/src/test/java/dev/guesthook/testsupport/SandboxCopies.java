package dev.guesthook.testsupport;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Fresh sandboxes for tests that need many: each profile is built once under {@code work} and every
 * {@link #fresh} sandbox is a copy of it, which is quicker than building it again. Hooks compiled
 * in one sandbox can be handed to the later copies ({@link #keepCompiledHooks}): compiling the
 * stock hooks costs more than the rest of a phase.
 */
public final class SandboxCopies {
  private final Path work;

  /** guesthook's compile cache under a host root (settings' cache-dir is below it). */
  private static final String COMPILE_CACHE = HostTree.HOOK_CACHE;

  private final Map<SandboxProfile, Path> templates = new EnumMap<>(SandboxProfile.class);
  private int made;

  public SandboxCopies(Path work) {
    this.work = work;
  }

  /** A new sandbox of {@code profile}, in a folder of its own under {@code work}. */
  public synchronized Path fresh(SandboxProfile profile) {
    Path template = templates.computeIfAbsent(profile, this::build);
    Path copy = work.resolve(profile.id() + "-" + (++made));
    copyTree(template, copy);
    Path compiled = work.resolve("compiled-hooks");
    if (Files.isDirectory(compiled)) {
      copyTree(compiled, copy.resolve(COMPILE_CACHE));
    }
    return copy;
  }

  /**
   * Every later {@link #fresh} sandbox starts with the hooks compiled in {@code sandbox} so far.
   */
  public synchronized void keepCompiledHooks(Path sandbox) {
    Path kept = work.resolve("compiled-hooks");
    Path next = work.resolve("compiled-hooks.next");
    if (!Files.isDirectory(sandbox.resolve(COMPILE_CACHE))) {
      return;
    }
    copyTree(sandbox.resolve(COMPILE_CACHE), next);
    try {
      if (Files.isDirectory(kept)) {
        deleteTree(kept);
      }
      Files.move(next, kept);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path build(SandboxProfile profile) {
    Path template = work.resolve("template-" + profile.id());
    try {
      Sandbox.create(template, profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return template;
  }

  /**
   * Copies a sandbox as it is, modes included (guesthook trusts its compile cache only with safe
   * modes): links stay links (relative, so they point inside the copy).
   */
  /** Deletes {@code root} and everything below it (links themselves, never what they point to). */
  public static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void copyTree(Path from, Path to) {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path source : walk.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isSymbolicLink(source)) {
          Files.createSymbolicLink(target, Files.readSymbolicLink(source));
        } else if (Files.isDirectory(source)) {
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(source));
        } else {
          Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
