/**
 * The port: HostPort and its value types (HostPath, HostCommand, CommandResult, HostException,
 * HostInteraction, SysfsPaths) and decorators (TracingHost, RevocableHost); the watchdog for kernel
 * writes that hang, which its implementations share (KernelWrites, RiskyWrite, WedgedDevices).
 * Knows none of its implementations, which live in its subpackages.
 */
@MayUse({"id", "json"})
package dev.guesthook.host;

import dev.guesthook.MayUse;
