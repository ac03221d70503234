package dev.ensemble.ingress;

import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class RoutingHeadersTest {

  @Test
  void aDecisionsValueIsMadeOnceAndPutAsTheSameTextOnEveryResponse() {
    RoutingHeaders headers = new RoutingHeaders();
    CharSequence first = headers.value(new String("session_affinity"));
    CharSequence again = headers.value(new String("session_affinity"));
    assertInstanceOf(AsciiString.class, first);
    assertSame(first, again);
    assertEquals("session_affinity", first.toString());
  }

  @Test
  void aValueThatIsNotPlainAsciiIsPutAsItIs() {
    RoutingHeaders headers = new RoutingHeaders();
    String name = "fournisseur-é";
    assertSame(name, headers.value(name));
    assertNull(headers.value(null));
  }

  @Test
  void pastItsBoundNewValuesArePutAsStringsAndTheKnownOnesStayMade() {
    RoutingHeaders headers = new RoutingHeaders();
    CharSequence known = headers.value("openai-0");
    for (int i = 0; i < RoutingHeaders.MAX_VALUES; i++) {
      headers.value("endpoint-" + i);
    }
    String late = "endpoint-late";
    assertSame(late, headers.value(late));
    assertSame(known, headers.value("openai-0"));
  }

  @Test
  void attemptCountsReadAsTheirNumbers() {
    assertEquals("0", RoutingHeaders.count(0).toString());
    assertEquals("3", RoutingHeaders.count(3).toString());
    assertEquals("17", RoutingHeaders.count(17).toString());
  }
}
