package dev.guesthook.host.contract;

import dev.guesthook.host.HostAccess;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.RevocableHost;
import dev.guesthook.host.real.LinuxHost;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Until it is revoked, a revocable host answers as its host does; after, every call is ECANCELED.
 */
class RevocableHostContractTest extends HostPortContract {
  private final AtomicBoolean revoked = new AtomicBoolean();

  @Override
  protected HostPort create(Path root) {
    return new RevocableHost(
        LinuxHost.over(root),
        new HostAccess() {
          @Override
          public Optional<String> enter() {
            return revoked.get() ? Optional.of("the hook was abandoned") : Optional.empty();
          }

          @Override
          public void leave() {}
        });
  }

  @Test
  void onceRevokedEvenAReadIsEcanceled() throws Exception {
    revoked.set(true);
    check(
        h -> {
          assertErrno("ECANCELED", () -> h.read(CONFIG));
          assertErrno("ECANCELED", () -> h.exists(CONFIG));
          assertErrno(
              "ECANCELED", () -> h.createDirectories(HostPath.parse("/var/tmp/contract/late")));
        });
  }
}
