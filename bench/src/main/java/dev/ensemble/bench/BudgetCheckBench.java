package dev.ensemble.bench;

import dev.ensemble.clients.Client;
import dev.ensemble.clients.ClientRegistry;
import dev.ensemble.clients.OnDisconnect;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * The budget check a request of a budgeted client pays ({@link ClientRegistry#admit}): this node's spend plus the
 * spend the fleet's other nodes published ({@code peers} ledgers), read from local memory, no network.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BudgetCheckBench {

  @Param({"0", "2", "9"})
  public int peers;

  private ClientRegistry registry;
  private Client client;

  @Setup
  public void setUp() {
    registry = new ClientRegistry(Clock.systemUTC());
    client = new Client("cli_bench", "bench", "00", new BigDecimal("1000000"), null, OnDisconnect.CONTINUE, 0);
    String month = YearMonth.now(ZoneOffset.UTC).toString();
    registry.bill(client.id(), new BigDecimal("1.25"));
    for (int i = 0; i < peers; i++) {
      registry.peerSpent(client.id(), "ledger-" + i, month + ":" + (12_500_000_000L + i));
    }
  }

  @Benchmark
  public Object admitBudgetedClient() {
    return registry.admit(client);
  }
}
