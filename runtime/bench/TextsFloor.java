import groovy.lang.Binding;
import groovy.lang.Closure;
import groovy.lang.Script;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * texts-floor.sh's program: the memory a JVM with serve's flags needs to hold N hook texts of
 * guests' own in Groovy and nothing else of guesthook's. Each text (OwnN, compiled with {@link
 * Base} as its script class, as guesthook compiles a hook with its own) is loaded by a class loader
 * of its own, as serve loads a text, run once (it registers its handler) and its pre-start handler
 * called once (its meta classes made and its call sites linked, as a guest's first phase does).
 * Then, after full collections, it prints its VmRSS, VmHWM and live heap. No Vert.x, no engine, no
 * lock, recording or stock hook: a floor under serve's figure with the same texts.
 *
 * <p>java [serve's flags] -cp GROOVY_JAR:CLASSES TextsFloor CLASSES N
 */
public final class TextsFloor {
  /** What the texts' writes reach: counted, so nothing is optimised away. */
  static long written;

  /** The script class of every text: the hook DSL's three calls, plainly. */
  public abstract static class Base extends Script {
    final Map<String, Closure<?>> handlers = new HashMap<>();

    public void hook(String name, Closure<?> body) {
      body.setDelegate(this);
      body.setResolveStrategy(Closure.DELEGATE_FIRST);
      body.call();
    }

    public void on(String phase, Closure<?> handler) {
      handler.setDelegate(this);
      handler.setResolveStrategy(Closure.DELEGATE_FIRST);
      handlers.put(phase, handler);
    }

    public void write(String path, String value) {
      written += path.length() + value.length();
    }
  }

  public static void main(String[] args) throws Exception {
    Path classes = Path.of(args[0]);
    int texts = Integer.parseInt(args[1]);
    List<Base> loaded = new ArrayList<>();
    for (int i = 0; i < texts; i++) {
      URLClassLoader own =
          new URLClassLoader(
              new URL[] {classes.toUri().toURL()}, TextsFloor.class.getClassLoader());
      Base text = (Base) own.loadClass("Own" + i).getDeclaredConstructor().newInstance();
      text.setBinding(new Binding());
      text.run();
      text.handlers.get("pre-start").call(Map.of("vmid", 1000 + i));
      loaded.add(text);
    }
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    String status = Files.readString(Path.of("/proc/self/status"));
    System.out.printf(
        "texts %d  VmRSS %s KiB  VmHWM %s KiB  live heap %d KiB  (%d texts held, %d written)%n",
        texts, field(status, "VmRSS"), field(status, "VmHWM"), live / 1024, loaded.size(), written);
  }

  private static String field(String status, String name) {
    for (String line : status.split("\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).trim().split("\\s+")[0];
      }
    }
    return "?";
  }
}
