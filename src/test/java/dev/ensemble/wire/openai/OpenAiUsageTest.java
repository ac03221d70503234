package dev.ensemble.wire.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class OpenAiUsageTest {

  @Test
  void cachedTokensAreTakenOutOfThePromptTotal() {
    Usage usage = OpenAiUsage.decode(new JsonObject(
        "{\"prompt_tokens\":1200,\"completion_tokens\":7,\"prompt_tokens_details\":{\"cached_tokens\":1024}}"));
    assertEquals(new Usage(176L, 7L, 1024L, null), usage);
  }

  @Test
  void reasoningTokensArePartOfTheCompletionAndReportedApart() {
    Usage usage = OpenAiUsage.decode(new JsonObject(
        "{\"prompt_tokens\":20,\"completion_tokens\":300,\"completion_tokens_details\":{\"reasoning_tokens\":256}}"));
    assertEquals(new Usage(20L, 300L, null, null, 256L), usage);
    assertEquals(256, OpenAiUsage.encode(usage).getJsonObject("completion_tokens_details").getInteger("reasoning_tokens"));
    assertEquals(300, OpenAiUsage.encode(usage).getInteger("completion_tokens"));
  }

  @Test
  void openRouterCacheWritesBecomeCacheWriteTokens() {
    Usage usage = OpenAiUsage.decode(new JsonObject("{\"prompt_tokens\":194,\"completion_tokens\":2,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"cache_write_tokens\":100,\"audio_tokens\":0},\"cost\":0.95}"));
    assertEquals(new Usage(94L, 2L, 0L, 100L), usage);
  }

  @Test
  void readsTheCostTheUpstreamReports() {
    assertEquals(0.000123, OpenAiUsage.reportedCost(new JsonObject().put("prompt_tokens", 3).put("cost", 0.000123)));
    assertNull(OpenAiUsage.reportedCost(new JsonObject().put("prompt_tokens", 3)));
    assertNull(OpenAiUsage.reportedCost(new JsonObject().put("cost", "0.1")));
    assertNull(OpenAiUsage.reportedCost(null));
  }
}
