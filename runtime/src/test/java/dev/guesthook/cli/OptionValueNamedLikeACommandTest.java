package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.ParseResult;

/**
 * A folder may be named like a subcommand: {@code guesthook new-hook} makes a project whose hooks
 * are in {@code hooks/}, and its author then runs {@code guesthook --hooks hooks replay FILE}.
 */
class OptionValueNamedLikeACommandTest {
  @ParameterizedTest
  @ValueSource(strings = {"hooks", "replay", "sandbox"})
  void aHookFolderNamedLikeASubcommandIsTheOptionsValue(String folder) {
    String[] args = {"--hooks", "/stock", "--hooks", folder, "replay", "recordings/201.jsonl"};
    Main main = new Main();
    ParseResult parsed = Main.commandLine(main, args).parseArgs(args);

    assertEquals(List.of(Path.of("/stock"), Path.of(folder)), main.options.hookDirs);
    assertEquals("replay", parsed.subcommand().commandSpec().name());
  }
}
