package dev.ensemble.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code ensemble}: the command line of the gateway. */
@Command(name = "ensemble", mixinStandardHelpOptions = true, versionProvider = EnsembleCommand.Version.class,
    description = "LLM inference gateway: one endpoint, many providers and keys.",
    subcommands = {ServeCommand.class, CheckConfigCommand.class, BalanceCommand.class, CacheTuneCommand.class, CommandLine.HelpCommand.class})
public final class EnsembleCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = new CommandLine(new EnsembleCommand()).execute(args);
    // exit explicitly: a library's non-daemon thread must not keep a stopped node's process alive
    System.exit(code);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Reads the version Maven wrote into the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = EnsembleCommand.class.getResourceAsStream("/ensemble-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"ensemble " + p.getProperty("version", "unknown")};
    }
  }
}
