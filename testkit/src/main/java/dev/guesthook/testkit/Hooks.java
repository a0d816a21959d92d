package dev.guesthook.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The stock hooks as a hook folder for a test: {@code
 * Lifecycle.of(402).on(root).hooks(Hooks.stock(), mine)}. They come from the {@code
 * dev.guesthook:guesthook-hooks} artifact on the test classpath, the same files the Debian package
 * installs in {@code /usr/share/guesthook/hooks/stock}, copied once per JVM into a private folder
 * (hook folders must not be writable by others).
 */
public final class Hooks {
  /** Where the guesthook-hooks artifact keeps the stock hook files. */
  static final String STOCK_RESOURCE = "dev/guesthook/hooks/stock";

  private static Path stock;

  private Hooks() {}

  /**
   * The folder of stock hooks ({@code gpu-release}, {@code hibernate}, {@code mdev}, {@code
   * pci-mapping}, {@code sriov-vf}).
   *
   * @return a private folder holding the stock hook files, the same for the whole JVM
   * @throws IllegalStateException when guesthook-hooks is not on the test classpath, saying which
   *     dependency to add
   */
  public static synchronized Path stock() {
    if (stock == null) {
      stock = stockFrom(Hooks.class.getClassLoader());
    }
    return stock;
  }

  static Path stockFrom(ClassLoader loader) {
    try {
      List<URL> places = Collections.list(loader.getResources(STOCK_RESOURCE));
      if (places.isEmpty()) {
        throw new IllegalStateException(
            "the stock hooks are not on the test classpath: add the dependency"
                + " dev.guesthook:guesthook-hooks (scope test) to your pom, as the README's"
                + " \"Write and test your own hooks\" shows");
      }
      Path folder = Files.createTempDirectory("guesthook-stock-hooks-");
      copyHooks(places.get(0), folder);
      deleteOnExit(folder);
      return folder;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyHooks(URL place, Path folder) throws IOException {
    if (place.getProtocol().equals("jar")) {
      copyFromJar((JarURLConnection) place.openConnection(), folder);
    } else {
      copyFromFolder(folderOf(place), folder);
    }
  }

  private static void copyFromJar(JarURLConnection connection, Path folder) throws IOException {
    connection.setUseCaches(false);
    try (JarFile jar = connection.getJarFile()) {
      String prefix = connection.getEntryName() + "/";
      for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
        JarEntry entry = entries.nextElement();
        if (!entry.getName().startsWith(prefix)) {
          continue;
        }
        String name = entry.getName().substring(prefix.length());
        if (isHookFile(name)) {
          try (InputStream in = jar.getInputStream(entry)) {
            Files.copy(in, folder.resolve(name));
          }
        }
      }
    }
  }

  private static void copyFromFolder(Path source, Path folder) throws IOException {
    try (Stream<Path> files = Files.list(source)) {
      for (Path file : files.toList()) {
        if (Files.isRegularFile(file) && isHookFile(file.getFileName().toString())) {
          Files.copy(file, folder.resolve(file.getFileName().toString()));
        }
      }
    }
  }

  /** A hook file directly in the folder: no subfolders, nothing that could name a path outside. */
  private static boolean isHookFile(String name) {
    return name.endsWith(".groovy") && !name.contains("/") && !name.startsWith(".");
  }

  private static Path folderOf(URL place) {
    try {
      return Path.of(place.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot read the stock hooks at " + place, e);
    }
  }

  /** The folder first: files registered later are deleted before it. */
  private static void deleteOnExit(Path folder) throws IOException {
    folder.toFile().deleteOnExit();
    try (Stream<Path> files = Files.list(folder)) {
      files.forEach(file -> file.toFile().deleteOnExit());
    }
  }
}
