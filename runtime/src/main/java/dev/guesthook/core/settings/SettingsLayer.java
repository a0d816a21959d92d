package dev.guesthook.core.settings;

import dev.guesthook.yaml.YamlNode;

/**
 * One place hooks' settings come from, keyed by hook name: guesthook.yaml's {@code hooks} (every
 * guest), its {@code vms."<vmid>"} (one guest), or the guest's own {@code
 * /etc/pve/guesthook/<vmid>.yaml}. Later layers win, key by key.
 *
 * @param prefix how a key of this layer is named in messages: {@code hooks.}, {@code vms.101.} or
 *     nothing
 */
public record SettingsLayer(String prefix, YamlNode.Mapping byHook) {}
