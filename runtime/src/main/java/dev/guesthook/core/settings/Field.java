package dev.guesthook.core.settings;

/**
 * One declared setting: its name, type, whether it must be given, the value it has when it is not,
 * and what it is for.
 */
public record Field(
    String name, SettingType type, boolean required, Object defaultValue, String description) {}
