package dev.guesthook.testsupport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), as node_exporter's
 * textfile collector reads it: every line is a HELP, a TYPE, a comment or a sample; metric and
 * label names follow their regexes; label values are quoted with only {@code \\}, {@code \"} and
 * {@code \n} escaped; one TYPE per family, before its samples; a family's samples together; no
 * series twice; counters and histograms never negative; a histogram's buckets cumulative, ending
 * with {@code le="+Inf"} equal to its {@code _count}, with a {@code _sum}. Any break fails with the
 * line.
 */
public final class PromText {
  private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** One sample: its family, name, labels in order, and value. */
  public record Sample(String family, String name, Map<String, String> labels, double value) {
    public String label(String name) {
      return labels.get(name);
    }
  }

  private final Map<String, String> types = new HashMap<>();
  private final Set<String> helped = new HashSet<>();
  private final Set<String> closed = new HashSet<>();
  private final Set<String> series = new HashSet<>();
  private final List<Sample> samples = new ArrayList<>();
  private String current = "";

  private PromText() {}

  /** Every sample of a valid document; fails naming the line that breaks a rule. */
  public static List<Sample> parse(String text) {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new AssertionError("the document does not end with a newline");
    }
    PromText reader = new PromText();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length - 1; i++) {
      try {
        reader.line(lines[i]);
      } catch (IllegalArgumentException e) {
        throw new AssertionError("line " + (i + 1) + " '" + lines[i] + "': " + e.getMessage());
      }
    }
    reader.checkHistograms();
    return List.copyOf(reader.samples);
  }

  /** The value of the one sample with this name and these labels (all of them), if any. */
  public static Optional<Double> value(
      List<Sample> samples, String name, Map<String, String> labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().equals(labels))
        .map(Sample::value)
        .findFirst();
  }

  private void line(String line) {
    if (line.isEmpty()) {
      return;
    }
    if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
      meta(line);
    } else if (line.startsWith("#")) {
      return; // a comment
    } else {
      sample(line);
    }
  }

  private void meta(String line) {
    String[] parts = line.split(" ", 4);
    if (parts.length < 4 || !METRIC.matcher(parts[2]).matches()) {
      throw new IllegalArgumentException("a HELP or TYPE line needs a metric name and a text");
    }
    String family = parts[2];
    if (parts[1].equals("HELP")) {
      if (!helped.add(family)) {
        throw new IllegalArgumentException("a second HELP for " + family);
      }
      if (parts[3].replace("\\\\", "").replace("\\n", "").contains("\\")) {
        throw new IllegalArgumentException("HELP text may escape only \\\\ and \\n");
      }
      return;
    }
    if (!TYPES.contains(parts[3])) {
      throw new IllegalArgumentException("unknown type " + parts[3]);
    }
    if (types.containsKey(family)) {
      throw new IllegalArgumentException("a second TYPE for " + family);
    }
    if (samples.stream().anyMatch(s -> s.family().equals(family))) {
      throw new IllegalArgumentException("TYPE after the family's samples");
    }
    types.put(family, parts[3]);
  }

  private void sample(String line) {
    Matcher name = METRIC.matcher(line);
    if (!name.lookingAt()) {
      throw new IllegalArgumentException("no metric name");
    }
    String metric = name.group();
    int at = name.end();
    Map<String, String> labels = new LinkedHashMap<>();
    if (at < line.length() && line.charAt(at) == '{') {
      at = labels(line, at + 1, labels);
    }
    if (at >= line.length() || line.charAt(at) != ' ') {
      throw new IllegalArgumentException("expected one space before the value");
    }
    String[] rest = line.substring(at + 1).split(" ", -1);
    if (rest.length > 2 || rest[0].isEmpty()) {
      throw new IllegalArgumentException("expected a value and at most a timestamp");
    }
    double value = number(rest[0]);
    if (rest.length == 2 && !rest[1].matches("-?\\d+")) {
      throw new IllegalArgumentException("a timestamp is an integer of milliseconds");
    }
    String family = family(metric);
    if (!family.equals(current)) {
      if (closed.contains(family)) {
        throw new IllegalArgumentException("the samples of " + family + " are not together");
      }
      closed.add(current);
      current = family;
    }
    String type = types.getOrDefault(family, "untyped");
    if ((type.equals("counter") || type.equals("histogram"))
        && (value < 0 || Double.isNaN(value))) {
      throw new IllegalArgumentException("a " + type + " cannot be negative");
    }
    if (type.equals("histogram") && metric.endsWith("_bucket") && !labels.containsKey("le")) {
      throw new IllegalArgumentException("a bucket without le");
    }
    if (!series.add(metric + new TreeMap<>(labels))) {
      throw new IllegalArgumentException("the series appears twice");
    }
    samples.add(new Sample(family, metric, Map.copyOf(labels), value));
  }

  private int labels(String line, int at, Map<String, String> labels) {
    while (true) {
      if (at < line.length() && line.charAt(at) == '}') {
        return at + 1;
      }
      Matcher label = LABEL.matcher(line).region(at, line.length());
      if (!label.lookingAt()) {
        throw new IllegalArgumentException("bad label name at column " + (at + 1));
      }
      String key = label.group();
      if (key.startsWith("__")) {
        throw new IllegalArgumentException("label names starting __ are reserved");
      }
      at = label.end();
      if (!line.startsWith("=\"", at)) {
        throw new IllegalArgumentException("expected =\" after " + key);
      }
      at += 2;
      StringBuilder value = new StringBuilder();
      while (true) {
        if (at >= line.length()) {
          throw new IllegalArgumentException("unterminated label value");
        }
        char c = line.charAt(at++);
        if (c == '"') {
          break;
        }
        if (c == '\\') {
          char next = at < line.length() ? line.charAt(at++) : ' ';
          switch (next) {
            case '\\' -> value.append('\\');
            case '"' -> value.append('"');
            case 'n' -> value.append('\n');
            default -> throw new IllegalArgumentException("bad escape \\" + next);
          }
        } else {
          value.append(c);
        }
      }
      if (labels.put(key, value.toString()) != null) {
        throw new IllegalArgumentException("label " + key + " twice");
      }
      if (at < line.length() && line.charAt(at) == ',') {
        at++;
      }
    }
  }

  private static double number(String text) {
    switch (text) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        if (!text.matches("-?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?")) {
          throw new IllegalArgumentException("not a number: " + text);
        }
        return Double.parseDouble(text);
    }
  }

  /** A histogram's or summary's samples belong to the family without their suffix. */
  private String family(String metric) {
    for (String suffix : List.of("_bucket", "_sum", "_count")) {
      if (metric.endsWith(suffix)) {
        String base = metric.substring(0, metric.length() - suffix.length());
        String type = types.get(base);
        if ("histogram".equals(type) || "summary".equals(type) && !suffix.equals("_bucket")) {
          return base;
        }
      }
    }
    String type = types.get(metric);
    if ("histogram".equals(type) || "summary".equals(type)) {
      throw new IllegalArgumentException(type + " " + metric + " without a suffix");
    }
    return metric;
  }

  /** Each histogram series: cumulative buckets ending in +Inf = _count, and a _sum. */
  private void checkHistograms() {
    Map<String, List<Sample>> buckets = new LinkedHashMap<>();
    Map<String, Double> counts = new HashMap<>();
    Set<String> sums = new HashSet<>();
    for (Sample s : samples) {
      if (!"histogram".equals(types.get(s.family()))) {
        continue;
      }
      Map<String, String> rest = new TreeMap<>(s.labels());
      rest.remove("le");
      String key = s.family() + rest;
      if (s.name().endsWith("_bucket")) {
        buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
      } else if (s.name().endsWith("_count")) {
        counts.put(key, s.value());
      } else {
        sums.add(key);
      }
    }
    buckets.forEach(
        (key, its) -> {
          double last = 0;
          double le = Double.NEGATIVE_INFINITY;
          for (Sample b : its) {
            double bound = number(b.label("le"));
            if (bound <= le || b.value() < last) {
              throw new AssertionError(key + ": buckets not in order or not cumulative");
            }
            le = bound;
            last = b.value();
          }
          if (le != Double.POSITIVE_INFINITY) {
            throw new AssertionError(key + ": no le=\"+Inf\" bucket");
          }
          if (!counts.containsKey(key) || counts.get(key) != last || !sums.contains(key)) {
            throw new AssertionError(
                key + ": _count must equal the +Inf bucket, and _sum be there");
          }
        });
  }
}
