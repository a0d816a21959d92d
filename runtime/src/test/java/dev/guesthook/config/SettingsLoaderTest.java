package dev.guesthook.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.id.VmId;
import dev.guesthook.yaml.YamlNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Defaults, then the YAML file under the root, then GUESTHOOK_* variables, then flags. */
@ExtendWith(VertxExtension.class)
class SettingsLoaderTest {
  @TempDir Path root;

  private Settings load(Vertx vertx, JsonObject flags, Map<String, String> env) throws Exception {
    flags.put("root", root.toString());
    return new SettingsLoader(Path.of("/usr/share/guesthook/hooks"))
        .load(vertx, flags, Optional.empty(), env)
        .toCompletionStage()
        .toCompletableFuture()
        .get();
  }

  private void configFile(String yaml) throws Exception {
    Files.createDirectories(root.resolve("etc/guesthook"));
    Files.writeString(root.resolve("etc/guesthook/guesthook.yaml"), yaml);
  }

  @Test
  void defaultsApplyWithoutAnyConfiguration(Vertx vertx) throws Exception {
    Settings settings = load(vertx, new JsonObject(), Map.of());
    assertEquals(Duration.ofSeconds(30), settings.hookTimeout());
    assertEquals(
        List.of(Path.of("/usr/share/guesthook/hooks"), root.resolve("etc/guesthook/hooks.d")),
        settings.hookDirs());
    assertEquals(root.resolve("var/cache/guesthook/hooks"), settings.cacheDir());
    assertEquals(root.resolve("var/lib/guesthook/recordings"), settings.recordingDir());
    assertEquals(false, settings.simulate());
  }

  @Test
  void aConfigFileOfCommentsOnlyIsReadAsEmpty(Vertx vertx) throws Exception {
    configFile("# guesthook configuration, as the package ships it\n\n# hook-timeout: 30\n");
    assertEquals(Duration.ofSeconds(30), load(vertx, new JsonObject(), Map.of()).hookTimeout());
  }

  @Test
  void eachLayerOverridesTheOneBefore(Vertx vertx) throws Exception {
    configFile("hook-timeout: 5\nlog-level: debug\nstrict: true\nrecording-dir: /srv/rec\n");
    Settings fileOnly = load(vertx, new JsonObject(), Map.of());
    assertEquals(Duration.ofSeconds(5), fileOnly.hookTimeout());
    assertEquals(root.resolve("srv/rec"), fileOnly.recordingDir());

    Settings withEnv =
        load(
            vertx,
            new JsonObject(),
            Map.of("GUESTHOOK_HOOK_TIMEOUT", "7", "GUESTHOOK_STRICT", "false"));
    assertEquals(Duration.ofSeconds(7), withEnv.hookTimeout());
    assertEquals(false, withEnv.strict());
    assertEquals(
        "DEBUG", withEnv.logLevel().name(), "the file's value stays where nothing overrides it");

    Settings withFlags =
        load(vertx, new JsonObject().put("hook-timeout", 9), Map.of("GUESTHOOK_HOOK_TIMEOUT", "7"));
    assertEquals(Duration.ofSeconds(9), withFlags.hookTimeout());
  }

  @Test
  void hookDirsFromTheEnvironmentAreColonSeparated(Vertx vertx) throws Exception {
    Settings settings = load(vertx, new JsonObject(), Map.of("GUESTHOOK_HOOK_DIRS", "/a:/b"));
    assertEquals(List.of(Path.of("/a"), Path.of("/b")), settings.hookDirs());
  }

  @Test
  void aRootInTheFileIsWarnedAboutAndIgnored(Vertx vertx) throws Exception {
    configFile("root: /elsewhere\n");
    Settings settings = load(vertx, new JsonObject(), Map.of());
    assertEquals(root, settings.root());
    Path file = root.resolve("etc/guesthook/guesthook.yaml");
    assertEquals(
        List.of(
            file + ":1:7: root: ignored; the root can only be set with --root or GUESTHOOK_ROOT"),
        settings.warnings());
  }

  @Test
  void aMisspeltKeyIsAnErrorNamingItsLineAndTheKeyMeant(Vertx vertx) throws Exception {
    configFile("log-level: info\nhook-timout: 5\n");
    Exception error = assertThrows(Exception.class, () -> load(vertx, new JsonObject(), Map.of()));
    Path file = root.resolve("etc/guesthook/guesthook.yaml");
    assertEquals(
        file
            + ":2:1: hook-timout: unknown key; did you mean 'hook-timeout'? (known: cache-dir, dry-run,"
            + " hook-dirs, hook-timeout, hooks, log-level, metrics, node, recording-dir, root, simulate,"
            + " strict, vms)",
        error.getCause().getMessage());
  }

  @Test
  void theFilesOwnBooleansAreYamlBooleansAndErrorsNameTheirLine(Vertx vertx) throws Exception {
    Path file = root.resolve("etc/guesthook/guesthook.yaml");
    for (String value : List.of("yes", "\"true\"", "off", "1")) {
      configFile("log-level: info\ndry-run: " + value + "\n");
      Exception error =
          assertThrows(Exception.class, () -> load(vertx, new JsonObject(), Map.of()));
      assertTrue(
          error
              .getCause()
              .getMessage()
              .startsWith(file + ":2:10: dry-run: expected true or false, found "),
          error.getCause().getMessage());
    }
    configFile("hook-timeout: ten\n");
    Exception error = assertThrows(Exception.class, () -> load(vertx, new JsonObject(), Map.of()));
    assertTrue(
        error.getCause().getMessage().startsWith(file + ":1:15: hook-timeout: "),
        error.getCause().getMessage());
    configFile("log-level: info\n");
    assertEquals(
        true,
        load(vertx, new JsonObject(), Map.of("GUESTHOOK_DRY_RUN", "yes")).dryRun(),
        "an environment variable is text: yes means yes");
  }

  @Test
  void hookSettingsOfTheFileKeepTheirLines(Vertx vertx) throws Exception {
    configFile(
        "hooks:\n  gpu-release: { driver: nouveau }\nvms:\n  \"101\":\n    gpu-release: { driver: amdgpu }\n");
    Settings settings = load(vertx, new JsonObject(), Map.of());
    YamlNode.Mapping vm101 =
        (YamlNode.Mapping) settings.vmHookSettings(VmId.parse("101")).get("gpu-release");
    assertEquals("amdgpu", ((YamlNode.Scalar) vm101.get("driver")).value());
    assertEquals(5, vm101.get("driver").mark().line());
    assertEquals(Map.of(), settings.vmHookSettings(VmId.parse("102")).plain());
    assertEquals(2, settings.hookDefaults().get("gpu-release").mark().line());
  }

  @Test
  void aGuestEntryThatIsNoGuestIdIsRefused(Vertx vertx) throws Exception {
    configFile("vms:\n  web:\n    mdev: {}\n");
    Exception error = assertThrows(Exception.class, () -> load(vertx, new JsonObject(), Map.of()));
    assertTrue(
        error
            .getCause()
            .getMessage()
            .startsWith(root.resolve("etc/guesthook/guesthook.yaml") + ":2:3: vms.web:"),
        error.getCause().getMessage());
  }
}
