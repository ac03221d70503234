package dev.ensemble.bench.hop;

import dev.ensemble.clients.Client;
import dev.ensemble.clients.ClientDirectory;
import dev.ensemble.clients.ClientKeys;
import dev.ensemble.clients.OnDisconnect;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time of a request's client key lookup ({@code ClientDirectory.authenticate}, what {@code ClientAuth} calls for
 * every request), per request: the key as a request brings it (a new {@code String} each time, as read from its
 * header), against a directory of one client (the side-by-side bench's) and of 1,000 clients whose keys take turns;
 * and a wrong key. Compiles against any gateway jar, so two jars alternate in one session (one JVM each).
 * Usage: {@code taskset -c 0 java -cp <classes>:<ensemble.jar> dev.ensemble.bench.hop.ClientKeyCost [requests] [rounds]}.
 */
public final class ClientKeyCost {

  private static volatile long sink;

  private ClientKeyCost() {
  }

  public static void main(String[] args) {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    SecureRandom random = new SecureRandom();
    List<Client> many = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String key = ClientKeys.generate(random);
      keys.add(key);
      many.add(new Client("c" + i, "client " + i, ClientKeys.hash(key), null, null, OnDisconnect.CONTINUE, 0));
    }
    ClientDirectory one = new ClientDirectory(many.subList(0, 1));
    ClientDirectory thousand = new ClientDirectory(many);
    String wrong = ClientKeys.generate(random);
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (int round = 0; round <= rounds; round++) {
      long a = cpu.getCurrentThreadCpuTime();
      run(one, keys.subList(0, 1), requests);
      long b = cpu.getCurrentThreadCpuTime();
      run(thousand, keys, requests);
      long c = cpu.getCurrentThreadCpuTime();
      run(one, List.of(wrong), requests);
      long d = cpu.getCurrentThreadCpuTime();
      if (round > 0) {
        System.out.printf("round %d  one client %6.1f ns  1,000 clients in turn %6.1f ns  a wrong key %6.1f ns%n", round,
            (double) (b - a) / requests, (double) (c - b) / requests, (double) (d - c) / requests);
      }
    }
  }

  private static void run(ClientDirectory directory, List<String> keys, int requests) {
    long found = 0;
    for (int i = 0; i < requests; i++) {
      String key = new String(keys.get(i % keys.size()).toCharArray());
      if (directory.authenticate(key) != null) {
        found++;
      }
    }
    sink += found;
  }
}
