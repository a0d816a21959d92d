/**
 * LifecycleEvent, Phase, Situation: what a phase call is about, as hooks see it.
 */
@MayUse({"id", "pve"})
package dev.guesthook.core.event;

import dev.guesthook.MayUse;
