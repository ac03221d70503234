package dev.ensemble.wire.gemini;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolChoice;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A client's {@code GenerateContentRequest} as a unified request: {@code contents} (roles {@code user} and
 * {@code model}; parts {@code text}, {@code inlineData}, {@code fileData}, {@code functionCall},
 * {@code functionResponse}; {@code thought} parts are the model's own and not sent back), {@code systemInstruction},
 * {@code tools[].functionDeclarations} (Gemini's OpenAPI-style schema, {@code parameters}, or
 * {@code parametersJsonSchema}, as JSON Schema), {@code toolConfig.functionCallingConfig} and
 * {@code generationConfig} ({@code temperature}, {@code topP}, {@code topK}, {@code maxOutputTokens},
 * {@code stopSequences}, {@code responseMimeType}/{@code responseSchema}, {@code thinkingConfig}: {@code thinkingBudget} as
 * the reasoning budget, 0 turning thinking off and -1 leaving it to the model, or {@code thinkingLevel} as an effort),
 * ranges checked by {@link ClientRequestRules}.
 * Function calls without an {@code id} get {@code call_<n>}, and a response without one answers the earliest
 * unanswered call of its name. Built-in tools ({@code googleSearch}, {@code codeExecution}, ...), cached contents
 * and more than one candidate are a 400 naming the field. Stateless and thread-safe.
 */
final class ClientRequestDecoder {

  UnifiedRequest decode(JsonObject body, String model, boolean stream) {
    UnifiedRequest.Builder builder = UnifiedRequest.builder(model);
    if (body.getValue("cachedContent") != null) {
      throw GatewayError.invalid("cachedContent", "cached contents are not supported by the gateway: send the contents themselves");
    }
    JsonObject system = object(body, "systemInstruction", null);
    if (system != null) {
      JsonArray parts = array(system, "parts", "systemInstruction");
      for (int i = 0; i < (parts == null ? 0 : parts.size()); i++) {
        JsonObject part = objectAt(parts, i, "systemInstruction.parts");
        if (!(part.getValue("text") instanceof String text)) {
          throw GatewayError.invalid("systemInstruction.parts[" + i + "]", "a system instruction takes text parts only");
        }
        builder.system(ContentBlock.Text.of(text));
      }
    }
    JsonArray contents = array(body, "contents", null);
    if (contents == null || contents.isEmpty()) {
      throw GatewayError.invalid("contents", contents == null ? "is required" : "must not be empty");
    }
    contents(contents, builder);
    tools(body, builder);
    generationConfig(object(body, "generationConfig", null), builder);
    return builder.stream(stream).includeUsage(stream).build();
  }

  /**
   * A {@code CountTokensRequest}: {@code contents}, or a {@code generateContentRequest} decoded like a
   * {@code generateContent} body (its errors name {@code generateContentRequest.<field>}); both at once is a 400.
   */
  UnifiedRequest decodeTokenCount(JsonObject body, String model) {
    Object generate = body.getValue("generateContentRequest");
    if (generate == null) {
      if (body.getValue("contents") == null) {
        throw GatewayError.invalid("contents", "is required: send contents or a generateContentRequest");
      }
      return decode(new JsonObject().put("contents", body.getValue("contents")), model, false);
    }
    if (body.getValue("contents") != null) {
      throw GatewayError.invalid("generateContentRequest", "contents and generateContentRequest are mutually exclusive: send one");
    }
    if (!(generate instanceof JsonObject request)) {
      throw GatewayError.invalid("generateContentRequest", "must be an object");
    }
    try {
      return decode(request, model, false);
    } catch (GatewayError e) {
      throw e.param() == null ? e : new GatewayError(e.type(), e.status(), "generateContentRequest." + e.getMessage(), false, null,
          "generateContentRequest." + e.param());
    }
  }

  private static void contents(JsonArray contents, UnifiedRequest.Builder builder) {
    Map<String, Deque<String>> unanswered = new HashMap<>();
    int calls = 0;
    for (int c = 0; c < contents.size(); c++) {
      String at = "contents[" + c + "]";
      JsonObject content = objectAt(contents, c, "contents");
      Object role = content.getValue("role", "user");
      Role unified = switch (String.valueOf(role)) {
        case "user", "function" -> Role.USER;
        case "model" -> Role.ASSISTANT;
        default -> throw GatewayError.invalid(at + ".role", "must be 'user' or 'model'");
      };
      JsonArray parts = array(content, "parts", at);
      if (parts == null || parts.isEmpty()) {
        throw GatewayError.invalid(at + ".parts", "must not be empty");
      }
      List<ContentBlock> blocks = new ArrayList<>();
      for (int p = 0; p < parts.size(); p++) {
        String partAt = at + ".parts[" + p + "]";
        JsonObject part = objectAt(parts, p, at + ".parts");
        if (part.getValue("text") instanceof String text) {
          if (!Boolean.TRUE.equals(part.getValue("thought"))) {
            blocks.add(ContentBlock.Text.of(text));
          }
        } else if (part.getValue("inlineData") instanceof JsonObject inline) {
          String mime = string(inline, "mimeType", partAt + ".inlineData");
          String data = string(inline, "data", partAt + ".inlineData");
          String problem = MediaSource.base64Problem(data, "inline data");
          if (problem != null) {
            throw GatewayError.invalid(partAt + ".inlineData.data", problem);
          }
          blocks.add(media(MediaSource.base64(mime, data), mime));
        } else if (part.getValue("fileData") instanceof JsonObject file) {
          String mime = file.getValue("mimeType") instanceof String m ? m : null;
          blocks.add(media(MediaSource.fromUrlOrDataUri(string(file, "fileUri", partAt + ".fileData")), mime));
        } else if (part.getValue("functionCall") instanceof JsonObject call) {
          if (unified != Role.ASSISTANT) {
            throw GatewayError.invalid(partAt + ".functionCall", "function calls belong in 'model' turns");
          }
          String name = string(call, "name", partAt + ".functionCall");
          String id = call.getValue("id") instanceof String given && !given.isEmpty() ? given : "call_" + calls;
          calls++;
          unanswered.computeIfAbsent(name, n -> new ArrayDeque<>()).add(id);
          Object args = call.getValue("args");
          blocks.add(new ContentBlock.ToolUse(id, name, args instanceof JsonObject a ? a.encode() : "{}", null));
        } else if (part.getValue("functionResponse") instanceof JsonObject response) {
          String name = string(response, "name", partAt + ".functionResponse");
          Deque<String> waiting = unanswered.get(name);
          String id = response.getValue("id") instanceof String given && !given.isEmpty() ? given
              : waiting == null || waiting.isEmpty() ? null : waiting.peekFirst();
          if (id == null) {
            throw GatewayError.invalid(partAt + ".functionResponse.name", "no earlier function call is named '" + name + "'");
          }
          if (waiting != null) {
            waiting.remove(id);
          }
          Object result = response.getValue("response");
          String text = result instanceof JsonObject r ? r.encode() : result == null ? "{}" : String.valueOf(result);
          blocks.add(new ContentBlock.ToolResult(id, List.of(ContentBlock.Text.of(text)), result instanceof JsonObject r && r.containsKey("error")
              && r.size() == 1, null));
        } else if (part.containsKey("executableCode") || part.containsKey("codeExecutionResult")) {
          throw GatewayError.invalid(partAt, "code execution parts are not supported by the gateway");
        } else if (part.getValue("thoughtSignature") == null || part.size() > 1) {
          throw GatewayError.invalid(partAt, "a part needs text, inlineData, fileData, functionCall or functionResponse");
        }
      }
      if (!blocks.isEmpty()) {
        builder.message(new Message(unified, blocks));
      }
    }
  }

  private static ContentBlock media(MediaSource source, String mime) {
    String type = mime != null ? mime.toLowerCase(Locale.ROOT) : source.mediaType();
    if (type != null && type.startsWith("image/")) {
      return new ContentBlock.Image(source.isUrl() && mime != null ? new MediaSource(source.url(), mime, null) : source, null, null);
    }
    return new ContentBlock.Document(source.isUrl() && mime != null ? new MediaSource(source.url(), mime, null) : source, null, null);
  }

  private static void tools(JsonObject body, UnifiedRequest.Builder builder) {
    JsonArray tools = array(body, "tools", null);
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int t = 0; tools != null && t < tools.size(); t++) {
      String at = "tools[" + t + "]";
      JsonObject tool = objectAt(tools, t, "tools");
      for (String field : tool.fieldNames()) {
        if (!field.equals("functionDeclarations")) {
          throw GatewayError.invalid(at + "." + field, "built-in tools such as '" + field + "' are not supported by the gateway; "
              + "only functionDeclarations are");
        }
      }
      JsonArray declarations = array(tool, "functionDeclarations", at);
      for (int d = 0; declarations != null && d < declarations.size(); d++) {
        String declAt = at + ".functionDeclarations[" + d + "]";
        JsonObject declaration = objectAt(declarations, d, at + ".functionDeclarations");
        String name = string(declaration, "name", declAt);
        ClientRequestRules.functionName(name, declAt, names);
        JsonObject openApi = object(declaration, "parameters", declAt);
        JsonObject json = object(declaration, "parametersJsonSchema", declAt);
        if (openApi != null && json != null) {
          throw GatewayError.invalid(declAt + ".parametersJsonSchema", "parameters and parametersJsonSchema are mutually exclusive");
        }
        if (openApi != null) {
          ClientRequestRules.schema(openApi, declAt + ".parameters");
        }
        Object description = declaration.getValue("description");
        if (description != null && !(description instanceof String)) {
          throw GatewayError.invalid(declAt + ".description", "must be a string");
        }
        builder.tool(new ToolDefinition(name, (String) description, json != null ? json : openApi != null ? ClientSchema.toJsonSchema(openApi) : null,
            null));
      }
    }
    JsonObject config = object(body, "toolConfig", null);
    JsonObject calling = config == null ? null : object(config, "functionCallingConfig", "toolConfig");
    if (calling == null) {
      return;
    }
    Object mode = calling.getValue("mode", "AUTO");
    JsonArray allowed = array(calling, "allowedFunctionNames", "toolConfig.functionCallingConfig");
    builder.toolChoice(switch (String.valueOf(mode)) {
      case "AUTO", "MODE_UNSPECIFIED" -> ToolChoice.auto();
      case "NONE" -> new ToolChoice(ToolChoice.Mode.NONE, null, false);
      case "ANY", "VALIDATED" -> allowed != null && allowed.size() == 1 && allowed.getValue(0) instanceof String only
          ? new ToolChoice(ToolChoice.Mode.TOOL, only, false) : new ToolChoice(ToolChoice.Mode.ANY, null, false);
      default -> throw GatewayError.invalid("toolConfig.functionCallingConfig.mode", "must be AUTO, ANY, NONE or VALIDATED");
    });
  }

  private static void generationConfig(JsonObject config, UnifiedRequest.Builder builder) {
    if (config == null) {
      return;
    }
    String at = "generationConfig";
    ClientRequestRules.generationConfig(config, at);
    if (config.getValue("candidateCount") instanceof Number n && n.intValue() > 1) {
      throw GatewayError.invalid(at + ".candidateCount", "more than one candidate is not supported");
    }
    builder.temperature(number(config, "temperature", at)).topP(number(config, "topP", at))
        .topK(config.getValue("topK") instanceof Number k ? Integer.valueOf(k.intValue()) : null);
    if (config.getValue("maxOutputTokens") instanceof Number max) {
      if (max.intValue() <= 0) {
        throw GatewayError.invalid(at + ".maxOutputTokens", "must be greater than 0");
      }
      builder.maxTokens(max.intValue());
    }
    JsonArray stops = array(config, "stopSequences", at);
    for (int i = 0; stops != null && i < stops.size(); i++) {
      if (!(stops.getValue(i) instanceof String stop)) {
        throw GatewayError.invalid(at + ".stopSequences[" + i + "]", "must be a string");
      }
      builder.stop(stop);
    }
    if ("application/json".equals(config.getValue("responseMimeType"))) {
      JsonObject schema = config.getValue("responseJsonSchema") instanceof JsonObject json ? json
          : config.getValue("responseSchema") instanceof JsonObject openApi ? ClientSchema.toJsonSchema(openApi) : null;
      builder.responseFormat(schema == null ? new JsonObject().put("type", "json_object")
          : new JsonObject().put("type", "json_schema").put("json_schema", new JsonObject().put("name", "response").put("schema", schema)));
    }
    JsonObject thinking = object(config, "thinkingConfig", at);
    if (thinking != null && thinking.getValue("thinkingBudget") instanceof Number budget) {
      builder.reasoning(new UnifiedRequest.Reasoning(budget.intValue(), null));
    } else if (thinking != null && thinking.getValue("thinkingLevel") instanceof String level) {
      builder.reasoning(new UnifiedRequest.Reasoning(null, level.toLowerCase(Locale.ROOT)));
    }
  }

  /**
   * Whether the client asked for thought parts ({@code generationConfig.thinkingConfig.includeThoughts}; Gemini's
   * default is no): without it, thinking is counted in {@code thoughtsTokenCount} but not shown.
   */
  static boolean includesThoughts(JsonObject body) {
    return body.getValue("generationConfig") instanceof JsonObject config && config.getValue("thinkingConfig") instanceof JsonObject thinking
        && Boolean.TRUE.equals(thinking.getValue("includeThoughts"));
  }

  private static Double number(JsonObject obj, String field, String at) {
    Object value = obj.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n)) {
      throw GatewayError.invalid(at + "." + field, "must be a number");
    }
    return n.doubleValue();
  }

  private static String string(JsonObject obj, String field, String at) {
    if (!(obj.getValue(field) instanceof String s) || s.isEmpty()) {
      throw GatewayError.invalid(at + "." + field, "is required");
    }
    return s;
  }

  private static JsonObject object(JsonObject obj, String field, String at) {
    Object value = obj.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject o)) {
      throw GatewayError.invalid(at == null ? field : at + "." + field, "must be an object");
    }
    return o;
  }

  private static JsonArray array(JsonObject obj, String field, String at) {
    Object value = obj.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray a)) {
      throw GatewayError.invalid(at == null ? field : at + "." + field, "must be an array");
    }
    return a;
  }

  private static JsonObject objectAt(JsonArray array, int index, String at) {
    if (!(array.getValue(index) instanceof JsonObject o)) {
      throw GatewayError.invalid(at + "[" + index + "]", "must be an object");
    }
    return o;
  }
}
