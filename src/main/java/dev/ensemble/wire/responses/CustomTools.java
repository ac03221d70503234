package dev.ensemble.wire.responses;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * The rule for the Responses API's {@code custom} tools (free-form text input, optionally constrained by a grammar:
 * Codex's {@code apply_patch}) on targets that only know function tools: such a tool becomes a function tool taking one
 * string argument, {@code input} (its description says the format the text must follow, the grammar included), and
 * a call of it comes back as a {@code custom_tool_call} item whose {@code input} is that argument. The model then
 * writes the text as a JSON string instead of raw text: sound for any text, though a grammar is no longer enforced
 * by the provider, only described to the model. Stateless.
 */
final class CustomTools {

  static final String ARGUMENT = "input";

  private CustomTools() {
  }

  /** The function arguments carrying a custom tool's text input. */
  static String arguments(String input) {
    return new JsonObject().put(ARGUMENT, input).encode();
  }

  /** A custom tool's text input from the function arguments a model produced (the raw arguments if they are not that shape). */
  static String input(String arguments) {
    try {
      Object input = new JsonObject(arguments).getValue(ARGUMENT);
      return input instanceof String s ? s : arguments;
    } catch (DecodeException | ClassCastException e) {
      return arguments;
    }
  }

  /** The parameters schema of the function standing for a custom tool. */
  static JsonObject parameters(String formatDescription) {
    JsonObject input = new JsonObject().put("type", "string");
    if (formatDescription != null) {
      input.put("description", formatDescription);
    }
    return new JsonObject().put("type", "object")
        .put("properties", new JsonObject().put(ARGUMENT, input))
        .put("required", new io.vertx.core.json.JsonArray().add(ARGUMENT))
        .put("additionalProperties", false);
  }

  /** What a custom tool's {@code format} asks of its input, for the model: null for free text. */
  static String describe(JsonObject format) {
    if (format == null || !"grammar".equals(format.getValue("type"))) {
      return null;
    }
    return "Raw text following this " + format.getString("syntax", "grammar") + " grammar (send it as the string value):\n"
        + format.getString("definition", "");
  }
}
