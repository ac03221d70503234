package dev.ensemble.testing.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * {@code POST /v1/images/generations}, as OpenAI's Images API answers it: {@code n} images (default 1, at most
 * 10). GPT image models ({@code gpt-image-*}) always answer {@code b64_json} and report token usage
 * ({@code input_tokens} = {@code ceil(prompt chars / 4)}, {@value #OUTPUT_TOKENS_PER_IMAGE} output tokens an
 * image, or a scripted {@link Reply#usage}); DALL-E models answer a {@code url} unless {@code response_format}
 * is {@code b64_json}, with a {@code revised_prompt} and no usage. ERROR and RAW replies render as on the chat route.
 */
final class OpenAiImagesRoute implements Route {

  static final int OUTPUT_TOKENS_PER_IMAGE = 1056;

  private final OpenAiRoute openAi;
  private final UpstreamState state;

  OpenAiImagesRoute(OpenAiRoute openAi, UpstreamState state) {
    this.openAi = openAi;
    this.state = state;
  }

  @Override
  public Admission admit(RecordedRequest request) {
    Admission caller = openAi.authenticate(request);
    if (caller.rejection() != null) {
      return caller;
    }
    JsonObject body = OpenAiRoute.parse(request);
    if (body == null) {
      return openAi.unparsable();
    }
    if (!(body.getValue("prompt") instanceof String) || body.getString("prompt").isEmpty()) {
      return openAi.reject(400, OpenAiRoute.invalid("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter"));
    }
    Object n = body.getValue("n");
    if (n != null && (!(n instanceof Integer) || (Integer) n < 1 || (Integer) n > 10)) {
      return openAi.reject(400, OpenAiRoute.invalid("Invalid 'n': must be an integer between 1 and 10.", "n", "invalid_value"));
    }
    return Admission.accepted(body, caller.apiKey());
  }

  @Override
  public Reply defaultReply(JsonObject body) {
    return Reply.text("");
  }

  @Override
  public Rendered render(Admission admitted, Reply reply) {
    if (reply.kind != Reply.Kind.CONTENT) {
      return openAi.render(admitted, reply);
    }
    JsonObject body = admitted.body();
    String model = body.getString("model", "dall-e-2");
    boolean gptImage = model.startsWith("gpt-image");
    boolean b64 = gptImage || "b64_json".equals(body.getString("response_format"));
    int n = body.getInteger("n", 1);
    String prompt = body.getString("prompt");
    JsonArray data = new JsonArray();
    for (int i = 0; i < n; i++) {
      long id = state.nextSequence();
      JsonObject image = b64
          ? new JsonObject().put("b64_json", Base64.getEncoder().encodeToString(("fake-png-" + id).getBytes(StandardCharsets.UTF_8)))
          : new JsonObject().put("url", "https://images.example.invalid/fake-" + id + ".png");
      if (!gptImage) {
        image.put("revised_prompt", prompt);
      }
      data.add(image);
    }
    JsonObject response = new JsonObject().put("created", state.nowMillis() / 1000).put("data", data);
    int tokens = 0;
    if (gptImage) {
      int input = Tokens.atLeastOne(prompt.length());
      int output = OUTPUT_TOKENS_PER_IMAGE * n;
      if (reply.usage != null) {
        input = reply.usage.input();
        output = reply.usage.output();
      }
      tokens = input + output;
      response.put("usage", new JsonObject().put("input_tokens", input).put("output_tokens", output).put("total_tokens", tokens)
          .put("input_tokens_details", new JsonObject().put("text_tokens", input).put("image_tokens", 0)));
    }
    return Rendered.json(200, openAi.headers(admitted.apiKey(), tokens), response);
  }
}
