package dev.guesthook.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The sriov-nic sandbox with a hook folder of a test's own, served by {@code guesthook serve} in a
 * JVM of its own, as systemd runs it: for hooks that misbehave in ways a runtime does not survive
 * in the test's own JVM (stuck threads, an exhausted heap). The sandbox's guests come without their
 * settings files: those name stock hooks the test's folder does not hold.
 */
public record ServedSandbox(Path root, Path hooks) {
  /** The sandbox in {@code base}/host, an empty hook folder {@code base}/hooks. */
  public static ServedSandbox create(Path base) throws IOException {
    Path root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    try (DirectoryStream<Path> own =
        Files.newDirectoryStream(root.resolve("etc/pve/guesthook"), "*.yaml")) {
      for (Path settings : own) {
        Files.delete(settings);
      }
    }
    Path hooks = Files.createDirectories(base.resolve("hooks"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new ServedSandbox(root, hooks);
  }

  /** Where serve listens, as on a node. */
  public Path socket() {
    return root.resolve("run/guesthook/guesthook.sock");
  }

  /** {@code guesthook serve} on it with these JVM options and hook timeout, once it listens. */
  public OneShot serve(List<String> jvmOptions, String hookTimeout) throws Exception {
    List<String> args = new ArrayList<>(List.of("--root", root.toString(), "--simulate"));
    args.addAll(List.of("--hooks", hooks.toString(), "--hook-timeout", hookTimeout, "serve"));
    OneShot serve = OneShot.start(jvmOptions, Map.of(), args);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(socket())) {
      assertTrue(
          serve.isAlive() && System.nanoTime() < deadline,
          () -> "serve did not start: " + outputOf(serve));
      Thread.sleep(50);
    }
    return serve;
  }

  /** What serve printed, once it has ended. */
  public static String outputOf(OneShot serve) {
    if (serve.isAlive()) {
      return "(still running)";
    }
    try {
      return "(ended) " + serve.await(Duration.ofSeconds(5));
    } catch (Exception e) {
      return "(ended; its output unreadable: " + e + ")";
    }
  }
}
