package dev.guesthook.config;

import dev.guesthook.files.SafeFiles;
import dev.guesthook.yaml.ConfigException;
import dev.guesthook.yaml.YamlNode;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * guesthook.yaml's {@code metrics: {textfile: /var/lib/prometheus/node-exporter/guesthook.prom}}:
 * where node_exporter's textfile collector reads guesthook's metrics. guesthook writes there as
 * root, so the path is checked before any command runs: absolute, without {@code .} or {@code ..},
 * a file name ending {@code .prom} (the collector reads nothing else), in a folder that exists, is
 * reached without a link and that nobody but root (or the runtime's user) can write, and not a
 * folder itself. Read from the file only: it names a place on the host, as {@code hooks} do.
 */
final class MetricsSetting {
  static final String KEY = "metrics";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}\\.prom");
  private static final String EXAMPLE = "/var/lib/prometheus/node-exporter/guesthook.prom";

  private MetricsSetting() {}

  /** The textfile under {@code root}, or empty when {@code metrics} is not set. */
  static Optional<Path> textfile(YamlNode.Mapping document, Path root) throws ConfigException {
    YamlNode metrics = document.get(KEY);
    if (metrics == null || metrics instanceof YamlNode.Scalar none && none.value() == null) {
      return Optional.empty();
    }
    if (!(metrics instanceof YamlNode.Mapping mapping)) {
      throw new ConfigException(
          metrics.mark()
              + ": metrics: expected a mapping (textfile: "
              + EXAMPLE
              + "), found "
              + metrics.describe());
    }
    for (Map.Entry<String, YamlNode.Mapping.Entry> entry : mapping.entries().entrySet()) {
      if (!entry.getKey().equals("textfile")) {
        throw new ConfigException(
            entry.getValue().keyMark()
                + ": metrics."
                + entry.getKey()
                + ": unknown key (known: textfile)");
      }
    }
    YamlNode value = mapping.get("textfile");
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof YamlNode.Scalar scalar) || !(scalar.value() instanceof String text)) {
      throw refused(value, value.describe(), "expected a path such as " + EXAMPLE);
    }
    return Optional.of(checked(value, text, root));
  }

  private static Path checked(YamlNode value, String text, Path root) throws ConfigException {
    if (!text.startsWith("/")) {
      throw refused(
          value,
          "'" + text + "'",
          "is not an absolute path; fix: write it from /, such as " + EXAMPLE);
    }
    for (String part : text.substring(1).split("/", -1)) {
      if (part.isEmpty()
          || part.equals(".")
          || part.equals("..")
          || part.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw refused(
            value,
            "'" + text + "'",
            "has an empty, '.' or '..' part or a control character; fix: write the folder's real path");
      }
    }
    Path file = Path.of(text);
    if (!NAME.matcher(file.getFileName().toString()).matches()) {
      throw refused(
          value,
          "'" + text + "'",
          "must end in .prom (the only files node_exporter's textfile collector reads), with a name of letters, digits, '.', '_' or '-'");
    }
    Path base = root.toAbsolutePath().normalize();
    Path onHost = base.resolve(text.substring(1)).normalize();
    Path folder = onHost.getParent();
    if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
      throw refused(
          value,
          "'" + text + "'",
          "its folder "
              + folder
              + " does not exist; fix: create it (node_exporter's --collector.textfile.directory) or correct the path");
    }
    Optional<String> problem = SafeFiles.folderProblem(folder);
    if (problem.isPresent()) {
      throw refused(value, "'" + text + "'", "cannot be written safely: " + problem.get());
    }
    if (Files.isDirectory(onHost, LinkOption.NOFOLLOW_LINKS)) {
      throw refused(
          value, "'" + text + "'", "is a folder; fix: name a file in it, such as guesthook.prom");
    }
    return onHost;
  }

  private static ConfigException refused(YamlNode value, String shown, String why) {
    return new ConfigException(value.mark() + ": metrics.textfile: " + shown + " " + why);
  }
}
