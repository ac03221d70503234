package dev.ensemble.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.providers.ProviderKinds;
import dev.ensemble.routing.affinity.AffinityTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Routing by media: only providers that take every part of a request are chosen, and none is a clear 400. */
class ModelRouterMediaTest {

  /** {@code vision}: a cheap text-only server first, a dearer image-taking provider second. */
  private static final String CONFIG = """
      providers:
        local:
          type: openai
          kind: self_hosted
          base_url: http://127.0.0.1:1/v1
          keys: [ { name: k, endpoints: [ { id: local-1 } ] } ]
        cloud:
          type: openai
          base_url: http://127.0.0.1:1/v1
          keys: [ { name: k, api_key: c, endpoints: [ { id: cloud-1 } ] } ]
        gem:
          type: gemini
          keys: [ { name: k, api_key: g, endpoints: [ { id: gem-1 } ] } ]
        ant:
          type: anthropic
          keys: [ { name: k, api_key: a, endpoints: [ { id: ant-1 } ] } ]
        br:
          type: bedrock
          keys: [ { name: k, api_key: "AKID:secret", endpoints: [ { id: br-1, region: us-east-1 } ] } ]
      models:
        vision:
          providers:
            - { provider: local, model: qwen, pricing: { input: 0, output: 0 } }
            - { provider: cloud, model: gpt, pricing: { input: 2, output: 8 } }
        text-only:
          providers:
            - { provider: local, model: qwen }
            - { provider: cloud, model: gpt, modalities: [text] }
        split:
          providers:
            - { provider: local, model: qwen-vl, modalities: [text, image] }
            - { provider: cloud, model: gpt, modalities: [text, pdf] }
        any-media:
          providers:
            - { provider: cloud, model: gpt }
            - { provider: gem, model: gemini-x }
        claude-or-gemini:
          providers:
            - { provider: ant, model: claude-x, pricing: { input: 1, output: 1 } }
            - { provider: gem, model: gemini-x, pricing: { input: 5, output: 5 } }
        claude-only:
          providers:
            - { provider: ant, model: claude-x }
            - { provider: br, model: anthropic.claude-x }
        listener:
          providers:
            - { provider: local, model: qwen, pricing: { input: 0, output: 0 } }
            - { provider: cloud, model: gpt-audio, pricing: { input: 2.5, output: 10 } }
            - { provider: gem, model: gemini-x, pricing: { input: 5, output: 20 } }
        told-to-listen:
          providers:
            - { provider: cloud, model: gpt-x, modalities: [text, audio] }
      """;

  private final ModelRouter router = router(CONFIG);

  private static ModelRouter router(String yaml) {
    EnsembleConfig config = new ConfigLoader(Map.of()).parse(yaml);
    Map<String, ProviderPool> pools = new LinkedHashMap<>();
    config.providers().forEach((name, p) -> {
      List<Endpoint> endpoints = new ArrayList<>();
      for (ProviderConfig.KeyConfig k : p.keys()) {
        for (ProviderConfig.EndpointConfig e : k.endpoints()) {
          endpoints.add(new Endpoint(e.id(), name, k.name(), k.apiKey(), k.weight(), e.rpmLimit(), e.tpmLimit(), p.baseUrl(), ""));
        }
      }
      var kind = ProviderKinds.of(p);
      pools.put(name, new ProviderPool(p, kind.adapter(), kind.auth(), endpoints));
    });
    return new ModelRouter(config, pools, new HashMap<>(), new EndpointLoad(), new AffinityTable(1 << 10), () -> 1_800_000_000_000L);
  }

  private static UnifiedRequest withParts(String model, ContentBlock... parts) {
    List<ContentBlock> content = new ArrayList<>();
    content.add(ContentBlock.Text.of("look"));
    content.addAll(List.of(parts));
    return UnifiedRequest.builder(model).message(Message.user("hello")).message(Message.assistant("hi"))
        .message(new Message(Role.USER, content)).build();
  }

  private static ContentBlock image(String url) {
    return new ContentBlock.Image(MediaSource.fromUrlOrDataUri(url), null, null);
  }

  private static ContentBlock document(String mediaType) {
    return new ContentBlock.Document(MediaSource.base64(mediaType, "QUJD"), null, null);
  }

  private static RoutingHints none() {
    return RoutingHints.of(null);
  }

  @Test
  void aTextRequestUsesNormalRoutingAndTakesTheCheapestProvider() {
    Selection s = router.decide(UnifiedRequest.builder("vision").message(Message.user("hi")).build(), none());

    assertEquals("local", s.decision().provider());
    assertEquals("only_endpoint", s.decision().reason());
  }

  @Test
  void anImageRequestGoesToTheProviderThatTakesImagesThoughItCostsMore() {
    Selection s = router.decide(withParts("vision", image("https://example.com/cat.png")), none());

    assertEquals("cloud", s.decision().provider());
    assertEquals("gpt", s.upstreamModel());
    assertEquals("only_endpoint", s.decision().reason());
  }

  @Test
  void anImageInsideAToolResultCountsToo() {
    UnifiedRequest request = UnifiedRequest.builder("vision")
        .message(new Message(Role.USER, List.of(new ContentBlock.ToolResult("call_1",
            List.of(image("data:image/png;base64,iVBOR")), false, null)))).build();

    assertEquals("cloud", router.decide(request, none()).decision().provider());
  }

  @Test
  void mediaNoProviderTakesIsA400NamingThePartAndTheProviders() {
    GatewayError e = assertThrows(GatewayError.class,
        () -> router.decide(withParts("text-only", document("application/pdf")), none()));

    assertEquals(400, e.status());
    assertEquals("messages[2].content[1]", e.param());
    assertEquals("messages[2].content[1]: model 'text-only' served by local, cloud cannot take inline PDF documents"
        + " (providers take local: text; cloud: text)", e.getMessage());
  }

  @Test
  void thePartNamedIsTheFirstThatNoProviderTakes() {
    GatewayError e = assertThrows(GatewayError.class, () -> router.decide(
        withParts("vision", image("https://example.com/a.png"), document("audio/wav"), document("application/pdf")), none()));

    assertEquals("messages[2].content[2]", e.param());
    assertEquals("messages[2].content[2]: model 'vision' served by local, cloud cannot take audio"
        + " (providers take local: text; cloud: text, image, pdf)", e.getMessage());
  }

  @Test
  void partsTakenOnlyByDifferentProvidersAreRefusedTogether() {
    GatewayError e = assertThrows(GatewayError.class, () -> router.decide(
        withParts("split", document("application/pdf"), image("data:image/png;base64,iVBOR")), none()));

    assertEquals("messages[2].content[1]", e.param(), "the first part the first provider does not take");
    assertEquals("messages[2].content[1]: model 'split' served by local, cloud cannot take inline images, inline PDF documents"
        + " together (providers take local: text, image; cloud: text, pdf)", e.getMessage());
  }

  @Test
  void audioGoesToTheProviderWhoseWireFormatCarriesIt() {
    Selection s = router.decide(withParts("any-media", document("audio/mpeg")), none());

    assertEquals("gem", s.decision().provider());
  }

  @Test
  void audioGoesToGeminiWhenTheCheaperAnthropicProviderCannotTakeIt() {
    assertEquals("ant", router.decide(withParts("claude-or-gemini", document("application/pdf")), none()).decision().provider());

    Selection s = router.decide(withParts("claude-or-gemini", document("audio/wav")), none());

    assertEquals("gem", s.decision().provider());
    assertEquals("only_endpoint", s.decision().reason());
  }

  @Test
  void audioForAModelServedOnlyByClaudeIsA400NamingThePartAndTheProviders() {
    GatewayError e = assertThrows(GatewayError.class,
        () -> router.decide(withParts("claude-only", document("audio/mpeg")), none()));

    assertEquals(400, e.status());
    assertEquals("messages[2].content[1]", e.param());
    assertEquals("messages[2].content[1]: model 'claude-only' served by ant, br cannot take audio"
        + " (providers take ant: text, image, pdf; br: text, image, pdf)", e.getMessage());
  }

  @Test
  void audioReachesOpenAisAudioModelAmongTheProvidersThatTakeIt() {
    Selection s = router.decide(withParts("listener", document("audio/mpeg")), none());

    assertEquals("cloud", s.decision().provider(), "cheaper than gemini; the text-only server is left out");
    assertEquals("gpt-audio", s.upstreamModel());
  }

  @Test
  void anOpenAiModelTakesAudioWhenItsModalitiesSaySo() {
    assertEquals("cloud", router.decide(withParts("told-to-listen", document("audio/wav")), none()).decision().provider());
    assertEquals("cloud", router.decide(withParts("cloud/gpt-audio", document("audio/wav")), none()).decision().provider());
    GatewayError e = assertThrows(GatewayError.class, () -> router.decide(withParts("cloud/gpt-y", document("audio/wav")), none()));
    assertEquals("messages[2].content[1]: model 'cloud/gpt-y' served by cloud cannot take audio"
        + " (providers take cloud: text, image, pdf)", e.getMessage());
  }

  @Test
  void aDocumentByUrlIsNotSentToAnOpenAiFormatProvider() {
    UnifiedRequest request = withParts("any-media",
        new ContentBlock.Document(MediaSource.url("https://example.com/a.pdf"), null, null));

    assertEquals("gem", router.decide(request, none()).decision().provider());
  }

  @Test
  void providerSlashModelUsesTheKindsDefaults() {
    GatewayError e = assertThrows(GatewayError.class,
        () -> router.decide(withParts("local/qwen", image("https://example.com/cat.png")), none()));

    assertEquals("messages[2].content[1]: model 'local/qwen' served by local cannot take images given by URL"
        + " (providers take local: text)", e.getMessage());
    assertEquals("cloud", router.decide(withParts("cloud/gpt", image("https://example.com/cat.png")), none()).decision().provider());
  }
}
