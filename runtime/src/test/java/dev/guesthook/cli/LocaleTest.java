package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.testsupport.ChildJvm;
import dev.guesthook.testsupport.HostTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proxmox runs hookscripts with LC_ALL=C; the task log must read the same as under UTF-8. */
class LocaleTest {
  @TempDir Path base;

  private String runWithLocale(HostTree host, String locale) throws Exception {
    List<String> command = new ArrayList<>(ChildJvm.command(Main.class.getName()));
    command.addAll(host.options());
    command.addAll(List.of("101", "pre-start"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("LC_ALL", locale);
    builder.environment().put("LANG", locale);
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), output);
    return output.replaceAll("\\(\\d+ ms\\)", "(N ms)");
  }

  @Test
  void outputIsUtf8UnderLcAllC() throws Exception {
    HostTree host = HostTree.create(base);
    host.vm(101, "memory: 512\n");
    host.hook(
        "greet.groovy",
        "hook('greet') { on('pre-start') { log.info 'caf\\u00e9 \\u2192 pr\\u00eat' } }\n");
    String underC = runWithLocale(host, "C");
    String underUtf8 = runWithLocale(host, "C.UTF-8");
    assertTrue(underC.contains("  [greet] caf\u00e9 \u2192 pr\u00eat\n"), underC);
    assertEquals(underUtf8, underC);
  }
}
