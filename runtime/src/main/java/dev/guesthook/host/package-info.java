/**
 * The port: HostPort and its value types (HostPath, HostCommand, CommandResult, HostException,
 * HostInteraction, SysfsPaths) and decorators (TracingHost, RevocableHost). Knows none of its
 * implementations, which live in its subpackages.
 */
@MayUse({"id"})
package dev.guesthook.host;

import dev.guesthook.MayUse;
