package dev.ensemble.wire.openai;

import dev.ensemble.model.GatewayError;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code size}, {@code quality} and {@code style} values OpenAI's image models take (API reference,
 * "Create image"): {@code dall-e-2} sizes 256x256, 512x512, 1024x1024, quality {@code standard} only, no style;
 * {@code dall-e-3} sizes 1024x1024, 1792x1024, 1024x1792, quality {@code standard}/{@code hd}, style
 * {@code vivid}/{@code natural}; {@code gpt-image-1} (and its minis) sizes 1024x1024, 1536x1024, 1024x1536 or
 * {@code auto}, quality {@code low}/{@code medium}/{@code high}/{@code auto}, no style. A model known by its
 * name (the client's, {@code provider/model} included) is held to its own values; any other model to the union
 * of them, so a value no model takes is always refused. Stateless.
 */
final class ImageOptions {

  private record Takes(Set<String> sizes, Set<String> qualities, Set<String> styles) {}

  private static final Takes DALL_E_2 = new Takes(Set.of("256x256", "512x512", "1024x1024"), Set.of("standard"), Set.of());
  private static final Takes DALL_E_3 = new Takes(Set.of("1024x1024", "1792x1024", "1024x1792"), Set.of("standard", "hd"),
      Set.of("vivid", "natural"));
  private static final Takes GPT_IMAGE = new Takes(Set.of("1024x1024", "1536x1024", "1024x1536", "auto"),
      Set.of("low", "medium", "high", "auto"), Set.of());
  private static final Takes ANY = new Takes(
      Set.of("256x256", "512x512", "1024x1024", "1792x1024", "1024x1792", "1536x1024", "1024x1536", "auto"),
      Set.of("standard", "hd", "low", "medium", "high", "auto"), Set.of("vivid", "natural"));
  private static final Map<String, Takes> BY_PREFIX = Map.of("dall-e-2", DALL_E_2, "dall-e-3", DALL_E_3, "gpt-image-1", GPT_IMAGE);

  private ImageOptions() {
  }

  /** @throws GatewayError 400 naming the first of {@code size}, {@code quality}, {@code style} that {@code model} does not take */
  static void check(String model, String size, String quality, Object style) {
    String name = model.substring(model.indexOf('/') + 1);
    Takes takes = BY_PREFIX.entrySet().stream().filter(e -> name.startsWith(e.getKey())).map(Map.Entry::getValue).findFirst().orElse(ANY);
    String who = takes == ANY ? "any image model" : "model '" + model + "'";
    check("size", size, takes.sizes(), who);
    check("quality", quality, takes.qualities(), who);
    if (style != null && !(style instanceof String)) {
      throw GatewayError.invalid("style", "must be a string");
    }
    check("style", (String) style, takes.styles(), who);
  }

  private static void check(String param, String value, Set<String> allowed, String who) {
    if (value == null || allowed.contains(value)) {
      return;
    }
    throw GatewayError.invalid(param, allowed.isEmpty()
        ? who + " takes no " + param + ", got '" + value + "'"
        : "'" + value + "' is not a " + param + " " + who + " takes (" + String.join(", ", List.copyOf(new java.util.TreeSet<>(allowed))) + ")");
  }
}
