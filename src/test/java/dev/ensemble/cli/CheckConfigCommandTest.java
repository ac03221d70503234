package dev.ensemble.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ensemble check-config}: the file is named as {@code serve} names it ({@code --config FILE}) or positionally. */
class CheckConfigCommandTest {

  private static int run(String... args) {
    CommandLine cli = new CommandLine(new EnsembleCommand());
    cli.setErr(new PrintWriter(new StringWriter()));
    return cli.execute(args);
  }

  @Test
  void takesTheConfigFileAsServeDoesOrPositionally() {
    assertEquals(0, run("check-config", "--config", "conf/ensemble.yaml"));
    assertEquals(0, run("check-config", "conf/ensemble.yaml"));
  }

  @Test
  void aMissingFileOrTwoFilesIsAUsageErrorNotACheck() {
    assertTrue(run("check-config") != 0);
    assertTrue(run("check-config", "--config", "conf/ensemble.yaml", "conf/ensemble.yaml") != 0);
  }
}
