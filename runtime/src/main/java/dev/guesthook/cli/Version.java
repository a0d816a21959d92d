package dev.guesthook.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest (set by the build), else "development". */
public final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {"guesthook " + (version == null ? "development" : version)};
  }
}
