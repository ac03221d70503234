package dev.ensemble.cli;

import dev.ensemble.cluster.HazelcastSetup;
import dev.ensemble.config.ConfigException;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.ConfigPrinter;
import dev.ensemble.config.EnsembleConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ensemble check-config FILE} (or {@code --config FILE}, as {@code serve} takes it): validates a config and prints
 * it resolved, with secrets masked.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
    description = "Validate a config file and print it resolved (environment expanded, defaults filled, secrets masked).")
final class CheckConfigCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The config file to check.")
  Path file;

  @Option(names = "--config", paramLabel = "FILE", description = "The config file to check, named as serve takes it.")
  Path option;

  @Override
  public Integer call() {
    if ((file == null) == (option == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "Name one config file: check-config FILE, or check-config --config FILE");
    }
    Path config = file != null ? file : option;
    try {
      EnsembleConfig loaded = new ConfigLoader(System.getenv()).load(config);
      if (loaded.cluster().enabled()) {
        Path dir = config.toAbsolutePath().getParent();
        HazelcastSetup.configFile(loaded.cluster().config(), dir == null ? Path.of("") : dir);
      }
      System.out.print(ConfigPrinter.toYaml(loaded));
      return 0;
    } catch (ConfigException e) {
      System.err.println("ensemble: invalid config " + config + ": " + e.getMessage());
      return 2;
    }
  }
}
