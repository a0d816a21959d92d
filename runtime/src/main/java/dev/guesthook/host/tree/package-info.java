/**
 * File trees under a root (FileTree, MutableTree, OverlayTree) and FileBackedHost, which serves the
 * port's file calls from one; shared by the real host and the simulator.
 */
@MayUse({"host", "files"})
package dev.guesthook.host.tree;

import dev.guesthook.MayUse;
