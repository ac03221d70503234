package dev.ensemble.routing.affinity;

import dev.ensemble.config.CacheMode;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.wire.anthropic.AnthropicRequestCodec;
import dev.ensemble.wire.openai.OpenAiRequestCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrefixFingerprinterTest {

  private static final JsonObject EPHEMERAL = new JsonObject().put("type", "ephemeral");
  private static final String SYSTEM = "You are a careful assistant. ".repeat(200);
  private static final String IMAGE_DATA = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk";

  private final PrefixFingerprinter fingerprinter = new PrefixFingerprinter();

  @Test
  void sameConversationHashesTheSameFromOpenAiAndAnthropicFormat() {
    JsonObject schema = new JsonObject("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
        + "\"days\":{\"type\":\"integer\",\"minimum\":1}},\"required\":[\"city\"]}");
    JsonObject openAi = new JsonObject()
        .put("model", "chat")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("function", new JsonObject()
            .put("name", "weather").put("description", "Looks up the weather").put("parameters", schema.copy()))))
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "system").put("content", SYSTEM))
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "text").put("text", "What is in this picture?"))
                .add(new JsonObject().put("type", "image_url").put("image_url",
                    new JsonObject().put("url", "data:image/png;base64," + IMAGE_DATA)))))
            .add(new JsonObject().put("role", "assistant").put("content", "A cat in Paris."))
            .add(new JsonObject().put("role", "user").put("content", "Weather there?"))
            .add(new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray()
                .add(new JsonObject().put("id", "call_1").put("type", "function").put("function", new JsonObject()
                    .put("name", "weather").put("arguments", "{\"city\":\"Paris\"}")))))
            .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "Sunny, 24C"))
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "text").put("text", "And tomorrow?").put("cache_control", EPHEMERAL.copy())))));
    JsonObject anthropic = new JsonObject()
        .put("model", "chat")
        .put("max_tokens", 1024)
        .put("system", SYSTEM)
        .put("tools", new JsonArray().add(new JsonObject()
            .put("name", "weather").put("description", "Looks up the weather").put("input_schema", schema.copy())))
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "text").put("text", "What is in this picture?"))
                .add(new JsonObject().put("type", "image").put("source", new JsonObject()
                    .put("type", "base64").put("media_type", "image/png").put("data", IMAGE_DATA)))))
            .add(new JsonObject().put("role", "assistant").put("content", "A cat in Paris."))
            .add(new JsonObject().put("role", "user").put("content", "Weather there?"))
            .add(new JsonObject().put("role", "assistant").put("content", new JsonArray()
                .add(new JsonObject().put("type", "tool_use").put("id", "call_1").put("name", "weather")
                    .put("input", new JsonObject().put("city", "Paris")))))
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "tool_result").put("tool_use_id", "call_1").put("content", "Sunny, 24C"))
                .add(new JsonObject().put("type", "text").put("text", "And tomorrow?").put("cache_control", EPHEMERAL.copy())))));

    UnifiedRequest fromOpenAi = new OpenAiRequestCodec().decode(openAi);
    UnifiedRequest fromAnthropic = new AnthropicRequestCodec().decode(anthropic);

    for (CacheMode mode : CacheMode.values()) {
      Fingerprints a = fingerprinter.fingerprint(fromOpenAi, mode, 0);
      Fingerprints b = fingerprinter.fingerprint(fromAnthropic, mode, 0);
      assertTrue(a.lookupCount() > 0 && a.writeCount() > 0, mode + " has checkpoints");
      assertArrayEquals(a.lookupHashes(), b.lookupHashes(), mode + " lookups");
      assertArrayEquals(a.lookupTokens(), b.lookupTokens(), mode + " lookup tokens");
      assertArrayEquals(a.writeHashes(), b.writeHashes(), mode + " writes");
      assertArrayEquals(a.writeTokens(), b.writeTokens(), mode + " write tokens");
      assertEquals(a.promptTokens(), b.promptTokens());
    }
  }

  @Test
  void automaticFollowUpLooksUpThePreviousEndOfPrompt() {
    UnifiedRequest first = conversation(SYSTEM, "Summarise the report.");
    UnifiedRequest second = first.toBuilder()
        .message(Message.assistant("The report says revenue grew."))
        .message(Message.user("By how much?"))
        .build();

    Fingerprints previous = fingerprinter.fingerprint(first, CacheMode.AUTOMATIC, 1024);
    Fingerprints next = fingerprinter.fingerprint(second, CacheMode.AUTOMATIC, 1024);

    assertEquals(2, previous.writeCount(), "end of prompt and tools+system");
    long endOfPrevious = previous.writeHashes()[0];
    assertEquals(previous.promptTokens(), previous.writeTokens()[0]);
    int at = indexOf(next.lookupHashes(), endOfPrevious);
    assertEquals(2, at, "after the new user turn and the previous answer");
    assertEquals(previous.writeTokens()[0], next.lookupTokens()[at]);

    AffinityTable table = new AffinityTable(1 << 10);
    for (long w : previous.writeHashes()) {
      table.put(w, 7, 300, 0);
    }
    AffinityTable.Hit hit = table.longest(next, 1_000);
    assertEquals(7, hit.domainId());
    assertEquals(previous.promptTokens(), hit.tokens());
  }

  @Test
  void automaticLookupsAreMessageBoundariesLongestFirst() {
    UnifiedRequest request = conversation(SYSTEM, "one", "two", "three");
    Fingerprints f = fingerprinter.fingerprint(request, CacheMode.AUTOMATIC, 1);

    assertEquals(4, f.lookupCount(), "three messages plus tools+system");
    for (int i = 1; i < f.lookupCount(); i++) {
      assertTrue(f.lookupTokens()[i - 1] > f.lookupTokens()[i], "strictly longer first");
    }
    assertEquals(f.writeHashes()[0], f.lookupHashes()[0], "the whole prompt");
    assertEquals(f.writeHashes()[1], f.lookupHashes()[3], "tools+system");
  }

  @Test
  void automaticLookupsAreCappedAtTheLast64MessagesPlusToolsAndSystem() {
    String[] turns = new String[100];
    Arrays.fill(turns, "turn");
    Fingerprints f = fingerprinter.fingerprint(conversation(SYSTEM, turns), CacheMode.AUTOMATIC, 1);
    Fingerprints shared = fingerprinter.fingerprint(conversation(SYSTEM), CacheMode.AUTOMATIC, 1);

    assertEquals(PrefixFingerprinter.MAX_MESSAGE_LOOKUPS + 1, f.lookupCount());
    assertEquals(shared.lookupHashes()[0], f.lookupHashes()[f.lookupCount() - 1]);
  }

  @Test
  void sessionsSharingASystemPromptMeetAtTheToolsAndSystemCheckpoint() {
    Fingerprints alice = fingerprinter.fingerprint(conversation(SYSTEM, "Hi, I am Alice."), CacheMode.AUTOMATIC, 1024);
    Fingerprints bob = fingerprinter.fingerprint(conversation(SYSTEM, "Hi, I am Bob."), CacheMode.AUTOMATIC, 1024);

    assertEquals(Set.of(alice.writeHashes()[1]), intersection(alice.lookupHashes(), bob.lookupHashes()));
  }

  @Test
  void differentSystemPromptSharesNoCheckpoint() {
    UnifiedRequest a = conversation(SYSTEM, "Hello", "Hi!", "Tell me a story.");
    UnifiedRequest b = conversation(SYSTEM + "Answer in French.", "Hello", "Hi!", "Tell me a story.");

    for (CacheMode mode : CacheMode.values()) {
      Fingerprints fa = fingerprinter.fingerprint(withBreakpoints(a), mode, 1);
      Fingerprints fb = fingerprinter.fingerprint(withBreakpoints(b), mode, 1);
      assertTrue(fa.lookupCount() > 0);
      assertEquals(Set.of(), intersection(fa.lookupHashes(), fb.lookupHashes()), mode.name());
      assertEquals(Set.of(), intersection(fa.writeHashes(), fb.lookupHashes()), mode.name());
    }
  }

  @Test
  void explicitFollowUpFindsThePreviousBreakpointWithinTheLookback() {
    UnifiedRequest first = UnifiedRequest.builder("claude")
        .system(new ContentBlock.Text(SYSTEM, EPHEMERAL))
        .message(new Message(Role.USER, List.of(new ContentBlock.Text("Read the report.", EPHEMERAL))))
        .build();
    Fingerprints previous = fingerprinter.fingerprint(first, CacheMode.EXPLICIT, 1024);
    assertEquals(2, previous.writeCount(), "the system block and the user turn");
    long lastBreakpoint = previous.writeHashes()[0];

    UnifiedRequest second = followUp(6);
    Fingerprints next = fingerprinter.fingerprint(second, CacheMode.EXPLICIT, 1024);
    assertEquals(19, indexOf(next.lookupHashes(), lastBreakpoint), "19 blocks later, inside the lookback");
    assertTrue(indexOf(next.lookupHashes(), previous.writeHashes()[1]) >= 0, "the system breakpoint itself");

    UnifiedRequest tooFar = followUp(7);
    Fingerprints far = fingerprinter.fingerprint(tooFar, CacheMode.EXPLICIT, 1024);
    assertEquals(-1, indexOf(far.lookupHashes(), lastBreakpoint), "22 blocks later, past the lookback");
  }

  @Test
  void explicitLookupsCoverEachBreakpointAndTwentyBlocksBeforeItWithoutDuplicates() {
    UnifiedRequest.Builder builder = UnifiedRequest.builder("claude").system(ContentBlock.Text.of(SYSTEM));
    List<ContentBlock> blocks = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      boolean marked = i == 29 || i == 39;
      blocks.add(new ContentBlock.Text("block " + i, marked ? EPHEMERAL : null));
    }
    UnifiedRequest request = builder.message(new Message(Role.USER, blocks)).build();

    Fingerprints f = fingerprinter.fingerprint(request, CacheMode.EXPLICIT, 1);

    // blocks are numbered after the system block: breakpoints at 30 and 40 cover boundaries 10..40
    assertEquals(31, f.lookupCount());
    assertEquals(2, f.writeCount());
    assertEquals(f.writeHashes()[0], f.lookupHashes()[0]);
    assertEquals(f.writeHashes()[1], f.lookupHashes()[10]);
    assertEquals(31, new HashSet<>(boxed(f.lookupHashes())).size());
    for (int i = 1; i < f.lookupCount(); i++) {
      assertTrue(f.lookupTokens()[i - 1] > f.lookupTokens()[i]);
    }
  }

  @Test
  void explicitModeWithoutBreakpointsHasNoCheckpoints() {
    Fingerprints f = fingerprinter.fingerprint(conversation(SYSTEM, "Hello"), CacheMode.EXPLICIT, 0);
    assertEquals(0, f.lookupCount());
    assertEquals(0, f.writeCount());
    assertTrue(f.promptTokens() > 1000);
  }

  @Test
  void cacheControlMarkersDoNotChangeHashes() {
    UnifiedRequest plain = conversation(SYSTEM, "Hello", "Hi!", "Tell me a story.");
    UnifiedRequest marked = withBreakpoints(plain);

    Fingerprints a = fingerprinter.fingerprint(plain, CacheMode.AUTOMATIC, 1);
    Fingerprints b = fingerprinter.fingerprint(marked, CacheMode.AUTOMATIC, 1);
    assertArrayEquals(a.lookupHashes(), b.lookupHashes());
    assertArrayEquals(a.writeHashes(), b.writeHashes());

    Fingerprints explicit = fingerprinter.fingerprint(marked, CacheMode.EXPLICIT, 1);
    assertEquals(a.writeHashes()[0], explicit.writeHashes()[0], "end of prompt, marker or not");
    assertTrue(intersection(a.lookupHashes(), explicit.lookupHashes()).size() == a.lookupCount(),
        "every message boundary is a block boundary");
  }

  @Test
  void checkpointsUnderMinTokensAreDropped() {
    UnifiedRequest request = conversation("short system", "x".repeat(4_000), "y".repeat(4_000), "z".repeat(4_000));

    Fingerprints all = fingerprinter.fingerprint(request, CacheMode.AUTOMATIC, 0);
    Fingerprints some = fingerprinter.fingerprint(request, CacheMode.AUTOMATIC, 2_000);
    Fingerprints none = fingerprinter.fingerprint(request, CacheMode.AUTOMATIC, 10_000);

    assertEquals(4, all.lookupCount());
    assertEquals(2, some.lookupCount());
    assertTrue(Arrays.stream(some.lookupTokens()).allMatch(t -> t >= 2_000));
    assertEquals(1, some.writeCount(), "the short tools+system prefix is not cacheable");
    assertEquals(0, none.lookupCount());
    assertEquals(0, none.writeCount());
    assertTrue(none.promptTokens() >= 3_000);
  }

  @Test
  void emptyPrefixIsNeverACheckpoint() {
    UnifiedRequest request = UnifiedRequest.builder("m").message(Message.user("hello")).build();
    Fingerprints f = fingerprinter.fingerprint(request, CacheMode.AUTOMATIC, 0);
    assertEquals(1, f.lookupCount());
    assertEquals(1, f.writeCount());
  }

  @Test
  void splittingTextDifferentlyChangesTheHash() {
    UnifiedRequest abC = UnifiedRequest.builder("m")
        .message(new Message(Role.USER, List.of(ContentBlock.Text.of("ab"), ContentBlock.Text.of("c")))).build();
    UnifiedRequest aBc = UnifiedRequest.builder("m")
        .message(new Message(Role.USER, List.of(ContentBlock.Text.of("a"), ContentBlock.Text.of("bc")))).build();
    UnifiedRequest sysAbC = UnifiedRequest.builder("m").system(ContentBlock.Text.of("ab")).system(ContentBlock.Text.of("c"))
        .message(Message.user("q")).build();
    UnifiedRequest sysABc = UnifiedRequest.builder("m").system(ContentBlock.Text.of("a")).system(ContentBlock.Text.of("bc"))
        .message(Message.user("q")).build();
    UnifiedRequest twoTurns = UnifiedRequest.builder("m").message(Message.user("ab")).message(Message.user("c")).build();

    long[] ends = {
        end(abC), end(aBc), end(sysAbC), end(sysABc), end(twoTurns),
    };
    assertEquals(ends.length, new HashSet<>(boxed(ends)).size());
  }

  @Test
  void rolesAndBlockKindsAreDistinguished() {
    UnifiedRequest user = UnifiedRequest.builder("m").message(Message.user("same")).build();
    UnifiedRequest assistant = UnifiedRequest.builder("m").message(Message.assistant("same")).build();
    UnifiedRequest thinking = UnifiedRequest.builder("m")
        .message(new Message(Role.ASSISTANT, List.of(new ContentBlock.Thinking("same", "sig", null)))).build();
    UnifiedRequest system = UnifiedRequest.builder("m").system(ContentBlock.Text.of("same")).build();
    assertEquals(4, new HashSet<>(boxed(new long[] {end(user), end(assistant), end(thinking), end(system)})).size());
  }

  @Test
  void inlineImagesAreHashedByDataButCountedFlat() {
    UnifiedRequest a = image(MediaSource.base64("image/png", IMAGE_DATA));
    UnifiedRequest b = image(MediaSource.base64("image/png", IMAGE_DATA + "AAAA"));
    UnifiedRequest url = image(MediaSource.url("https://example.com/cat.png"));

    Fingerprints fa = fingerprinter.fingerprint(a, CacheMode.AUTOMATIC, 0);
    Fingerprints fb = fingerprinter.fingerprint(b, CacheMode.AUTOMATIC, 0);
    assertNotEquals(fa.writeHashes()[0], fb.writeHashes()[0]);
    assertNotEquals(fa.writeHashes()[0], end(url));
    assertEquals(fa.promptTokens(), fb.promptTokens(), "data length does not count");
    int textTokens = ("image/png".length() + "?".length() + 3) / 4;
    assertEquals(PrefixFingerprinter.MEDIA_TOKENS + textTokens, fa.promptTokens());
  }

  @Test
  void tokensAreCharactersOverFourRoundedUp() {
    UnifiedRequest request = UnifiedRequest.builder("m").system(ContentBlock.Text.of("a".repeat(4_001)))
        .message(Message.user("b".repeat(3))).build();
    Fingerprints f = fingerprinter.fingerprint(request, CacheMode.AUTOMATIC, 0);
    assertArrayEquals(new int[] {1_001, 1_001}, f.lookupTokens());
    assertEquals(1_001, f.promptTokens());
  }

  @Test
  void toolSchemasAreHashedStructurally() {
    JsonObject schema = new JsonObject().put("type", "object").put("properties", new JsonObject()
        .put("n", new JsonObject().put("type", "integer").put("maximum", 10)));
    JsonObject other = schema.copy();
    other.getJsonObject("properties").getJsonObject("n").put("maximum", 11);
    UnifiedRequest a = UnifiedRequest.builder("m").tool(new ToolDefinition("count", null, schema, null))
        .message(Message.user("go")).build();
    UnifiedRequest b = UnifiedRequest.builder("m").tool(new ToolDefinition("count", null, other, null))
        .message(Message.user("go")).build();
    UnifiedRequest described = UnifiedRequest.builder("m").tool(new ToolDefinition("count", "", schema, null))
        .message(Message.user("go")).build();
    UnifiedRequest reparsed = UnifiedRequest.builder("m")
        .tool(new ToolDefinition("count", null, new JsonObject(schema.encode()), null))
        .message(Message.user("go")).build();

    assertNotEquals(end(a), end(b));
    assertNotEquals(end(a), end(described), "absent and empty description differ");
    assertEquals(end(a), end(reparsed));
  }

  @Test
  void fingerprintsAreScopedToTheModel() {
    UnifiedRequest request = conversation(SYSTEM, "Hello");
    Fingerprints a = fingerprinter.fingerprint(request, CacheMode.AUTOMATIC, 1);
    Fingerprints b = fingerprinter.fingerprint(request.toBuilder().model("other").build(), CacheMode.AUTOMATIC, 1);
    Fingerprints scoped = fingerprinter.fingerprint(request, CacheMode.AUTOMATIC, 1, PrefixFingerprinter.seed("chat"));

    assertEquals(Set.of(), intersection(a.lookupHashes(), b.lookupHashes()));
    assertArrayEquals(a.lookupHashes(), scoped.lookupHashes());
  }

  private long end(UnifiedRequest request) {
    Fingerprints f = fingerprinter.fingerprint(request, CacheMode.AUTOMATIC, 0);
    return f.lookupHashes()[0];
  }

  private static UnifiedRequest image(MediaSource source) {
    return UnifiedRequest.builder("m")
        .message(new Message(Role.USER, List.of(new ContentBlock.Image(source, null, null), ContentBlock.Text.of("?"))))
        .build();
  }

  /** A conversation in the scope "chat": the system prompt, then turns alternating user / assistant. */
  private static UnifiedRequest conversation(String system, String... turns) {
    UnifiedRequest.Builder b = UnifiedRequest.builder("chat").system(ContentBlock.Text.of(system));
    for (int i = 0; i < turns.length; i++) {
      b.message(i % 2 == 0 ? Message.user(turns[i]) : Message.assistant(turns[i]));
    }
    return b.build();
  }

  /**
   * The explicit conversation's next request: the breakpoint moved from the first user turn to a new last
   * user turn, after {@code rounds} tool round trips of three blocks each.
   */
  private static UnifiedRequest followUp(int rounds) {
    UnifiedRequest.Builder b = UnifiedRequest.builder("claude")
        .system(new ContentBlock.Text(SYSTEM, EPHEMERAL))
        .message(Message.user("Read the report."));
    for (int i = 0; i < rounds; i++) {
      b.message(new Message(Role.ASSISTANT, List.of(
          ContentBlock.Text.of("Checking " + i),
          new ContentBlock.ToolUse("call_" + i, "lookup", "{\"page\":" + i + "}", null))));
      b.message(new Message(Role.USER, List.of(
          new ContentBlock.ToolResult("call_" + i, List.of(ContentBlock.Text.of("page " + i)), false, null))));
    }
    b.message(new Message(Role.USER, List.of(new ContentBlock.Text("Now summarise.", EPHEMERAL))));
    return b.build();
  }

  /** The same request with a breakpoint on the system prompt and on the last block. */
  private static UnifiedRequest withBreakpoints(UnifiedRequest request) {
    UnifiedRequest.Builder b = UnifiedRequest.builder(request.model());
    for (ContentBlock.Text s : request.system()) {
      b.system(new ContentBlock.Text(s.text(), EPHEMERAL));
    }
    List<Message> messages = request.messages();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      if (i == messages.size() - 1) {
        ContentBlock.Text t = (ContentBlock.Text) m.content().get(0);
        b.message(new Message(m.role(), List.of(new ContentBlock.Text(t.text(), EPHEMERAL))));
      } else {
        b.message(m);
      }
    }
    return b.build();
  }

  private static int indexOf(long[] hashes, long hash) {
    for (int i = 0; i < hashes.length; i++) {
      if (hashes[i] == hash) {
        return i;
      }
    }
    return -1;
  }

  private static Set<Long> intersection(long[] a, long[] b) {
    Set<Long> shared = new HashSet<>(boxed(a));
    shared.retainAll(boxed(b));
    return shared;
  }

  private static List<Long> boxed(long[] hashes) {
    return Arrays.stream(hashes).boxed().toList();
  }
}
