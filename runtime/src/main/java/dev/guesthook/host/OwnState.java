package dev.guesthook.host;

import java.util.List;

/**
 * Where guesthook keeps, on a host's tree, what its phases and reconciles rely on across processes:
 * a hook has no business opening these (see {@code host.tree.OwnStateGuard}).
 */
public final class OwnState {
  private OwnState() {}

  /**
   * The guest and device locks. They are fcntl locks, which the kernel drops when the process that
   * holds one closes any descriptor of its file: a hook of serve's reading its guest's lock file
   * let another process take the guest while the phase ran.
   */
  public static final HostPath LOCKS = HostPath.of("run", "guesthook", "locks");

  /** The guests' journals: what a reconcile puts back, and from which device. */
  public static final HostPath JOURNALS = HostPath.of("var", "lib", "guesthook", "journal");

  /** The locks as reached through {@code /var/run}, a link to {@code /run} on every Debian. */
  private static final HostPath LOCKS_THROUGH_VAR_RUN =
      HostPath.of("var", "run", "guesthook", "locks");

  /** All of them, and the locks by the name most nodes also give them. */
  private static final List<HostPath> FOLDERS = List.of(LOCKS, LOCKS_THROUGH_VAR_RUN, JOURNALS);

  /** Whether {@code path} names one of these folders itself (a listing opens the folder only). */
  public static boolean isAFolder(HostPath path) {
    return FOLDERS.contains(path);
  }

  /**
   * Whether {@code path} is one of these folders or lies in one, also through /var/run. Other links
   * a hook's author planted to reach them are not looked for: a hook is trusted code, and this
   * catches mistakes.
   */
  public static boolean holds(HostPath path) {
    return FOLDERS.stream().anyMatch(path::startsWith);
  }
}
