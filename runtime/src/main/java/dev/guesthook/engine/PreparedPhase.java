package dev.guesthook.engine;

import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.core.settings.GuestSettings;
import dev.guesthook.devices.Ledger;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.HostPort;

/**
 * A phase ready to dispatch: its event, its hooks, the host they act on, their checked settings,
 * its ledger.
 */
record PreparedPhase(
    LifecycleEvent event,
    HookCatalog catalog,
    HostPort host,
    GuestSettings hookSettings,
    Ledger ledger) {}
