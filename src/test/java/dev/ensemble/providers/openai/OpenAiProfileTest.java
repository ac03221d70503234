package dev.ensemble.providers.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.providers.UpstreamCall;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each member of the OpenAI-compatible family puts on the wire, through {@link OpenAiAdapter}. */
class OpenAiProfileTest {

  private static final JsonObject EPHEMERAL = new JsonObject().put("type", "ephemeral");
  private static final JsonObject PREFERENCES = new JsonObject()
      .put("order", new JsonArray().add("anthropic").add("amazon-bedrock")).put("allow_fallbacks", false);

  @Test
  void eachKindHasItsProfileAndUnknownKindsAreOpenAisChatCompletionsWithoutItsResponsesApi() {
    assertSame(OpenAiProfile.XAI, OpenAiProfile.of("xai"));
    assertSame(OpenAiProfile.FIREWORKS, OpenAiProfile.of("fireworks"));
    assertSame(OpenAiProfile.OPENROUTER, OpenAiProfile.of("openrouter"));
    assertSame(OpenAiProfile.SELF_HOSTED, OpenAiProfile.of("self_hosted"));
    assertSame(OpenAiProfile.OPENAI, OpenAiProfile.of("openai"));
    assertSame(OpenAiProfile.OPENAI_COMPATIBLE, OpenAiProfile.of("gemini"));
    org.junit.jupiter.api.Assertions.assertTrue(OpenAiProfile.of("openai").responsesApi(), "OpenAI itself serves the Responses API");
    for (String kind : java.util.List.of("gemini", "xai", "fireworks", "openrouter", "self_hosted")) {
      org.junit.jupiter.api.Assertions.assertFalse(OpenAiProfile.of(kind).responsesApi(), kind);
    }
  }

  @Test
  void defaultBaseUrlsIncludeTheVersionPathAndSelfHostedHasNone() {
    assertEquals("https://api.openai.com/v1", OpenAiProfile.OPENAI.defaultBaseUrl());
    assertEquals("https://api.x.ai/v1", OpenAiProfile.XAI.defaultBaseUrl());
    assertEquals("https://api.fireworks.ai/inference/v1", OpenAiProfile.FIREWORKS.defaultBaseUrl());
    assertEquals("https://openrouter.ai/api/v1", OpenAiProfile.OPENROUTER.defaultBaseUrl());
    assertEquals("", OpenAiProfile.SELF_HOSTED.defaultBaseUrl());
  }

  @Test
  void onlySelfHostedServersWorkWithoutAKey() {
    assertTrue(OpenAiProfile.OPENAI.needsKey());
    assertTrue(OpenAiProfile.XAI.needsKey());
    assertTrue(OpenAiProfile.FIREWORKS.needsKey());
    assertTrue(OpenAiProfile.OPENROUTER.needsKey());
    assertFalse(OpenAiProfile.SELF_HOSTED.needsKey());
  }

  @Test
  void openAiAndXaiTakeMaxCompletionTokensTheOthersMaxTokens() {
    assertEquals(5, body(OpenAiProfile.OPENAI, "gpt-5", plain()).getInteger("max_completion_tokens"));
    assertEquals(5, body(OpenAiProfile.XAI, "grok-4", plain()).getInteger("max_completion_tokens"));
    for (OpenAiProfile profile : List.of(OpenAiProfile.FIREWORKS, OpenAiProfile.OPENROUTER, OpenAiProfile.SELF_HOSTED)) {
      JsonObject body = body(profile, "some/model", plain());
      assertEquals(5, body.getInteger("max_tokens"), profile.kind());
      assertFalse(body.containsKey("max_completion_tokens"), profile.kind());
    }
  }

  @Test
  void everyProfileAsksForTheUsageChunkOnStreams() {
    for (OpenAiProfile profile : List.of(OpenAiProfile.OPENAI, OpenAiProfile.XAI, OpenAiProfile.FIREWORKS,
        OpenAiProfile.OPENROUTER, OpenAiProfile.SELF_HOSTED)) {
      JsonObject body = body(profile, "m", UnifiedRequest.builder("x").message(Message.user("hi")).stream(true).build());
      assertEquals(new JsonObject().put("include_usage", true), body.getJsonObject("stream_options"), profile.kind());
    }
  }

  @Test
  void openAiBodyIsUnchangedByTheProfileMachinery() {
    UnifiedRequest req = marked();
    assertEquals(new OpenAiAdapter().toUpstream(req, "gpt-5").body().toString(),
        adapter(OpenAiProfile.OPENAI, PREFERENCES).toUpstream(req, "gpt-5").body().toString());
    assertFalse(call(OpenAiProfile.OPENAI, null, "gpt-5", req).body().toString().contains("cache_control"));
  }

  @Test
  void openRouterKeepsCacheControlForAnthropicAndGoogleModels() {
    for (String model : List.of("anthropic/claude-sonnet-4.5", "google/gemini-2.5-pro")) {
      JsonArray messages = body(OpenAiProfile.OPENROUTER, model, marked()).getJsonArray("messages");
      assertEquals(new JsonArray().add(new JsonObject().put("type", "text").put("text", "You are terse.").put("cache_control", EPHEMERAL)),
          messages.getJsonObject(0).getJsonArray("content"), model);
      assertEquals("Be kind.", messages.getJsonObject(1).getString("content"), "unmarked system text stays a string");
      JsonArray user = messages.getJsonObject(2).getJsonArray("content");
      assertEquals(EPHEMERAL, user.getJsonObject(0).getJsonObject("cache_control"));
      assertEquals(EPHEMERAL, user.getJsonObject(1).getJsonObject("cache_control"), "image parts keep their marker too");
      JsonObject tool = messages.getJsonObject(4);
      assertEquals(new JsonArray().add(new JsonObject().put("type", "text").put("text", "22C").put("cache_control", EPHEMERAL)),
          tool.getJsonArray("content"), "a marked tool result carries its marker on its last part");
    }
  }

  @Test
  void openRouterDropsCacheControlForOtherModelsAndOtherProfilesNeverSendIt() {
    String plainBody = body(OpenAiProfile.OPENAI, "openai/gpt-5", marked()).getJsonArray("messages").encode();
    assertEquals(plainBody, body(OpenAiProfile.OPENROUTER, "openai/gpt-5", marked()).getJsonArray("messages").encode());
    for (OpenAiProfile profile : List.of(OpenAiProfile.XAI, OpenAiProfile.FIREWORKS, OpenAiProfile.SELF_HOSTED)) {
      assertFalse(call(profile, null, "anthropic/claude-sonnet-4.5", marked()).body().toString().contains("cache_control"), profile.kind());
    }
  }

  @Test
  void openRouterSendsProviderPreferencesAndAsksForUsageAccounting() {
    JsonObject body = body(OpenAiProfile.OPENROUTER, "anthropic/claude-sonnet-4.5", plain());
    assertEquals(PREFERENCES, body.getJsonObject("provider"));
    assertEquals(new JsonObject().put("include", true), body.getJsonObject("usage"));
  }

  @Test
  void otherProfilesSendNeitherPreferencesNorUsageAccounting() {
    for (OpenAiProfile profile : List.of(OpenAiProfile.OPENAI, OpenAiProfile.XAI, OpenAiProfile.FIREWORKS, OpenAiProfile.SELF_HOSTED)) {
      JsonObject body = body(profile, "m", plain());
      assertNull(body.getValue("provider"), profile.kind());
      assertNull(body.getValue("usage"), profile.kind());
    }
  }

  @Test
  void openRouterCallsCarryTheAttributionTitleOthersNoExtraHeaders() {
    assertEquals("Ensemble", call(OpenAiProfile.OPENROUTER, null, "m", plain()).headers().get("x-title"));
    for (OpenAiProfile profile : List.of(OpenAiProfile.OPENAI, OpenAiProfile.XAI, OpenAiProfile.FIREWORKS, OpenAiProfile.SELF_HOSTED)) {
      UpstreamCall call = call(profile, null, "m", plain());
      assertEquals(java.util.Set.of("content-type", "accept"), call.headers().names().stream().map(String::toLowerCase).collect(java.util.stream.Collectors.toSet()), profile.kind());
    }
  }

  @Test
  void everyProfileSendsImagesByUrlOrInlineAsImageUrlPartsAndInlinePdfsAsFileParts() {
    UnifiedRequest req = UnifiedRequest.builder("vision").message(new Message(Role.USER, List.of(
        ContentBlock.Text.of("Compare."),
        new ContentBlock.Image(MediaSource.url("https://example.com/a.png"), null, null),
        new ContentBlock.Image(MediaSource.base64("image/png", "iVBORw0KGgo="), "low", null),
        new ContentBlock.Document(MediaSource.base64("application/pdf", "JVBERi0x"), "report.pdf", null)))).build();
    JsonArray expected = new JsonArray()
        .add(new JsonObject().put("type", "text").put("text", "Compare."))
        .add(new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", "https://example.com/a.png")))
        .add(new JsonObject().put("type", "image_url").put("image_url",
            new JsonObject().put("url", "data:image/png;base64,iVBORw0KGgo=").put("detail", "low")))
        .add(new JsonObject().put("type", "file").put("file",
            new JsonObject().put("filename", "report.pdf").put("file_data", "data:application/pdf;base64,JVBERi0x")));
    for (OpenAiProfile profile : List.of(OpenAiProfile.OPENAI, OpenAiProfile.XAI, OpenAiProfile.FIREWORKS,
        OpenAiProfile.OPENROUTER, OpenAiProfile.SELF_HOSTED)) {
      assertEquals(expected, body(profile, "m", req).getJsonArray("messages").getJsonObject(0).getJsonArray("content"), profile.kind());
    }
  }

  @Test
  void encodingIsByteStablePerProfile() {
    for (OpenAiProfile profile : List.of(OpenAiProfile.OPENAI, OpenAiProfile.XAI, OpenAiProfile.FIREWORKS,
        OpenAiProfile.OPENROUTER, OpenAiProfile.SELF_HOSTED)) {
      OpenAiAdapter adapter = adapter(profile, PREFERENCES);
      assertEquals(adapter.toUpstream(marked(), "anthropic/claude-sonnet-4.5").body(),
          adapter.toUpstream(marked(), "anthropic/claude-sonnet-4.5").body(), profile.kind());
    }
  }

  @Test
  void theAdapterKeepsItsOwnCopyOfThePreferences() {
    JsonObject preferences = PREFERENCES.copy();
    OpenAiAdapter adapter = adapter(OpenAiProfile.OPENROUTER, preferences);
    preferences.put("sort", "price");
    assertEquals(PREFERENCES, new JsonObject(adapter.toUpstream(plain(), "m").body()).getJsonObject("provider"));
  }

  private static UnifiedRequest plain() {
    return UnifiedRequest.builder("smart").message(Message.user("hi")).maxTokens(5).build();
  }

  /** System, user, image and tool-result blocks carrying Anthropic-style cache markers. */
  private static UnifiedRequest marked() {
    return UnifiedRequest.builder("smart")
        .system(new ContentBlock.Text("You are terse.", EPHEMERAL))
        .system(ContentBlock.Text.of("Be kind."))
        .message(new Message(Role.USER, List.of(new ContentBlock.Text("Weather in Paris?", EPHEMERAL),
            new ContentBlock.Image(MediaSource.url("https://example.com/sky.png"), null, EPHEMERAL))))
        .message(new Message(Role.ASSISTANT, List.of(new ContentBlock.ToolUse("call_1", "weather", "{\"city\":\"Paris\"}", null))))
        .message(new Message(Role.USER, List.of(new ContentBlock.ToolResult("call_1", List.of(ContentBlock.Text.of("22C")), false, EPHEMERAL))))
        .maxTokens(5)
        .build();
  }

  private static OpenAiAdapter adapter(OpenAiProfile profile, JsonObject preferences) {
    return new OpenAiAdapter(profile, preferences);
  }

  private static UpstreamCall call(OpenAiProfile profile, JsonObject preferences, String model, UnifiedRequest req) {
    return adapter(profile, preferences).toUpstream(req, model);
  }

  private static JsonObject body(OpenAiProfile profile, String model, UnifiedRequest req) {
    return new JsonObject(call(profile, PREFERENCES, model, req).body());
  }
}
