package dev.ensemble.wire.responses;

import dev.ensemble.model.GatewayError;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A response's input items as {@code GET /v1/responses/{id}/input_items} lists them, in OpenAI's list format
 * ({@code object: "list"}, {@code data}, {@code first_id}, {@code last_id}, {@code has_more}), paged by
 * {@code limit} (1 to 100, default 20), {@code order} ({@code desc}, the default: newest first, or {@code asc}) and
 * {@code after} (an item id: the page starts after it in that order). Items are stored as the client sent them, each
 * given an id when it had none ({@code msg_<response>_<n>} for messages, {@code item_<response>_<n>} otherwise) and
 * messages with string content shown as {@code input_text} parts, as OpenAI lists them. Stateless.
 */
final class InputItemList {

  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  private InputItemList() {
  }

  /** The items of {@code input} as stored: each with an id and a type, message content as parts. */
  static JsonArray stored(JsonArray input, String responseId) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < input.size(); i++) {
      if (!(input.getValue(i) instanceof JsonObject sent)) {
        continue;
      }
      JsonObject item = sent.copy();
      String type = item.getString("type", "message");
      item.put("type", type);
      if (type.equals("message")) {
        if (item.getValue("content") instanceof String text) {
          String part = "assistant".equals(item.getValue("role")) ? "output_text" : "input_text";
          item.put("content", new JsonArray().add(new JsonObject().put("type", part).put("text", text)));
        }
        if (!item.containsKey("status")) {
          item.put("status", "completed");
        }
      }
      if (!(item.getValue("id") instanceof String)) {
        item.put("id", (type.equals("message") ? "msg_" : "item_") + responseId + "_" + i);
      }
      items.add(item);
    }
    return items;
  }

  /** One page of {@code items} (in the order they were sent) as the parameters ask. */
  static JsonObject page(JsonArray items, MultiMap params) {
    int limit = limit(params.get("limit"));
    String order = params.get("order") == null ? "desc" : params.get("order");
    if (!order.equals("asc") && !order.equals("desc")) {
      throw GatewayError.invalid("order", "must be 'asc' or 'desc'");
    }
    JsonArray ordered = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      ordered.add(items.getValue(order.equals("asc") ? i : items.size() - 1 - i));
    }
    int from = 0;
    String after = params.get("after");
    if (after != null) {
      from = -1;
      for (int i = 0; i < ordered.size(); i++) {
        if (after.equals(ordered.getJsonObject(i).getString("id"))) {
          from = i + 1;
          break;
        }
      }
      if (from < 0) {
        throw GatewayError.invalid("after", "no input item of this response has the id '" + after + "'");
      }
    }
    JsonArray data = new JsonArray();
    for (int i = from; i < Math.min(ordered.size(), from + limit); i++) {
      data.add(ordered.getValue(i));
    }
    return new JsonObject().put("object", "list").put("data", data)
        .put("first_id", data.isEmpty() ? null : data.getJsonObject(0).getString("id"))
        .put("last_id", data.isEmpty() ? null : data.getJsonObject(data.size() - 1).getString("id"))
        .put("has_more", from + limit < ordered.size());
  }

  private static int limit(String value) {
    if (value == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(value.trim());
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // the 400 below
    }
    throw GatewayError.invalid("limit", "must be an integer from 1 to " + MAX_LIMIT);
  }
}
