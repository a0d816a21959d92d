/** LifecycleEvent, Phase, Situation: what a phase call is about, as hooks see it. */
@MayUse({"id"})
package dev.guesthook.core.event;

import dev.guesthook.MayUse;
