package dev.ensemble.testing.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An instance-field extension gives every test its own fresh fake. */
class FakeUpstreamExtensionTest {

  @RegisterExtension
  FakeUpstreamExtension fake = new FakeUpstreamExtension();

  @RepeatedTest(2)
  void eachTestGetsAFreshRunningFake() throws Exception {
    assertEquals(0, fake.requestCount());
    fake.enqueue(Reply.text("scripted"));

    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
        .uri(URI.create(fake.openAiBaseUrl() + "/chat/completions"))
        .header("authorization", "Bearer k").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(200, response.statusCode());
    assertTrue(response.body().contains("\"content\":\"scripted\""));
    assertEquals(1, fake.requestCount());
    assertEquals(0, fake.server().pendingReplies());
  }
}
