package dev.guesthook.core.hookhost;

import dev.guesthook.files.SafeFiles;
import dev.guesthook.files.UnsafePathException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Compiled hook classes on disk, one jar per hook file, named by the SHA-256 of the file's name and
 * content plus the Groovy and DSL versions: an unchanged hook is never compiled twice, and a
 * changed one can never be served stale. Entries are written to a temp file and renamed into place,
 * so a crash leaves either the old entry or the new one. The cache only serves a folder that passes
 * the same ownership and mode checks as hook files: it holds code the root runtime will run.
 */
final class CompiledHookCache {
  private static final String SCRIPT_CLASS = "Guesthook-Script-Class";

  private final Path directory;
  private final GroovyCompiler compiler;
  private int compiled;
  private int reused;
  private String unusableReason;

  CompiledHookCache(Path directory, GroovyCompiler compiler) {
    this.directory = directory;
    this.compiler = compiler;
  }

  /**
   * The hook file's classes, from the cache when its content was compiled before. The caller has
   * the file's {@link #key} already: computed again here it cost 2-4 ms of a one-shot phase with
   * the five stock hooks (SHA-256 of 29 KB, interpreted at that point of a start; measured).
   */
  CompiledHookFile load(String key, String fileName, String source) throws HookLoadException {
    Optional<CompiledHookFile> cached = read(key);
    if (cached.isPresent()) {
      reused++;
      return cached.get();
    }
    return compileAgain(key, fileName, source);
  }

  /** The hook file compiled now, replacing whatever entry the cache held for its key. */
  CompiledHookFile compileAgain(String key, String fileName, String source)
      throws HookLoadException {
    CompiledHookFile fresh = compiler.compile(fileName, source);
    compiled++;
    store(key, fresh);
    return fresh;
  }

  /**
   * Marks the entry of this key as used today, if it is there: a resident runtime runs the hooks it
   * holds from memory, where no load marks their entries, and they must not be pruned as unused.
   */
  void markUsed(String key) {
    Path entry = directory.resolve(key + ".jar");
    Optional<BasicFileAttributes> attributes = regularFile(entry);
    if (attributes.isPresent() && trusted()) {
      CacheUpkeep.used(entry, attributes.get(), Instant.now());
    }
  }

  int compiledCount() {
    return compiled;
  }

  int reusedCount() {
    return reused;
  }

  /** Why compiled classes could not be kept (the hooks still ran), or empty. */
  Optional<String> unusableReason() {
    return Optional.ofNullable(unusableReason);
  }

  String key(String fileName, String source) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(compiler.fingerprint().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(fileName.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(source.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Optional<CompiledHookFile> read(String key) {
    Path entry = directory.resolve(key + ".jar");
    Optional<BasicFileAttributes> attributes = regularFile(entry);
    if (attributes.isEmpty() || !trusted()) {
      return Optional.empty();
    }
    try (JarInputStream jar =
        new JarInputStream(
            Channels.newInputStream(SafeFiles.open(entry, StandardOpenOption.READ)))) {
      String scriptClass = jar.getManifest().getMainAttributes().getValue(SCRIPT_CLASS);
      Map<String, byte[]> classes = new LinkedHashMap<>();
      for (JarEntry item; (item = jar.getNextJarEntry()) != null; ) {
        classes.put(item.getName(), jar.readAllBytes());
      }
      if (scriptClass == null || !classes.containsKey(scriptClass)) {
        return Optional.empty();
      }
      CacheUpkeep.used(entry, attributes.get(), Instant.now());
      return Optional.of(new CompiledHookFile(scriptClass, classes));
    } catch (IOException | RuntimeException corrupt) {
      return Optional.empty(); // a damaged or untrusted entry is recompiled and replaced
    }
  }

  private void store(String key, CompiledHookFile file) {
    try {
      SafeFiles.folder(directory);
      Path temp = Files.createTempFile(directory, key, ".tmp");
      try {
        write(temp, file);
        move(temp, directory.resolve(key + ".jar"));
      } finally {
        Files.deleteIfExists(temp);
      }
      CacheUpkeep.prune(directory, directory.resolve(key + ".jar"), Instant.now());
    } catch (UnsafePathException e) {
      unusableReason = "hook cache not used: " + e.getMessage();
    } catch (IOException | UnsupportedOperationException e) {
      unusableReason = "cannot write the hook cache " + directory + ": " + e.getMessage();
    }
  }

  private static Optional<BasicFileAttributes> regularFile(Path entry) {
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return attributes.isRegularFile() ? Optional.of(attributes) : Optional.empty();
    } catch (IOException notThere) {
      return Optional.empty();
    }
  }

  /**
   * Its folder and every one above it: a link on the way would send root's compiled code elsewhere.
   */
  private boolean trusted() {
    Optional<String> problem = SafeFiles.folderProblem(directory);
    if (problem.isPresent()) {
      unusableReason = "hook cache not used: " + problem.get();
      return false;
    }
    return Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS);
  }

  private static void write(Path temp, CompiledHookFile file) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
    manifest.getMainAttributes().putValue(SCRIPT_CLASS, file.scriptClass());
    try (OutputStream out = Files.newOutputStream(temp);
        JarOutputStream jar = new JarOutputStream(out, manifest)) {
      for (Map.Entry<String, byte[]> entry : file.classes().entrySet()) {
        jar.putNextEntry(new JarEntry(entry.getKey()));
        jar.write(entry.getValue());
        jar.closeEntry();
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
