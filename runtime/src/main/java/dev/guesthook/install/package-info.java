/**
 * guesthook install and doctor: the hookscript snippet, its storage, what an install left.
 */
@MayUse({"check", "core.hookhost", "files", "host", "id", "journal", "json", "pve", "record"})
package dev.guesthook.install;

import dev.guesthook.MayUse;
