package dev.ensemble.keys;

import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.config.Secret;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Reads the body of {@code POST /admin/keys} —
 * {@code {provider, name, api_key, weight?, endpoints?: [{id, rpm_limit?, tpm_limit?, base_url?, region?}]}} —
 * into a new admin {@link ProviderKey}, or a {@link KeyError} 400 naming the field. Without {@code endpoints} the
 * key gets one endpoint {@code <provider>-<name>} with no limits. A name the config file declares with an empty
 * {@code api_key} is filled: weight, endpoints and limits are the config's (sending them is a 400); one declared
 * with its key set is a 409. Checks what the body
 * alone decides; uniqueness against the node's keys is the {@link KeysVerticle}'s.
 */
final class KeyRequest {

  private static final Set<String> FIELDS = Set.of("provider", "name", "api_key", "weight", "endpoints");
  private static final Set<String> ENDPOINT_FIELDS = Set.of("id", "rpm_limit", "tpm_limit", "base_url", "region");
  private static final int MAX_NAME = 100;
  private static final String ENDPOINT_ID = "[A-Za-z0-9_.:-]{1,100}";
  private static final int MAX_API_KEY = 8_192;

  private final SecureRandom random = new SecureRandom();

  ProviderKey parse(JsonObject body, EnsembleConfig config, long nowMillis) {
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw KeyError.invalid(field, "unknown field '" + field + "'; allowed: provider, name, api_key, weight, endpoints");
      }
    }
    String provider = string(body, "provider", "provider");
    ProviderConfig providerConfig = config.providers().get(provider);
    if (providerConfig == null) {
      throw KeyError.invalid("provider", "no provider named '" + provider + "' is configured under providers: (configured: "
          + String.join(", ", config.providers().keySet()) + ")");
    }
    String name = string(body, "name", "name");
    if (name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
      throw KeyError.invalid("name", "must be at most " + MAX_NAME + " characters without control characters");
    }
    Object rawKey = body.getValue("api_key");
    if (!(rawKey instanceof String apiKey) || apiKey.isBlank()) {
      throw KeyError.invalid("api_key", "is required: the provider's API key, a non-empty string");
    }
    if (apiKey.length() > MAX_API_KEY || apiKey.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw KeyError.invalid("api_key", "must be at most " + MAX_API_KEY + " characters without whitespace or control characters");
    }
    ProviderConfig.KeyConfig slot = providerConfig.keys().stream().filter(k -> k.name().equals(name)).findFirst().orElse(null);
    if (slot != null) {
      if (!slot.apiKey().isEmpty()) {
        throw KeyError.conflict("name", "provider '" + provider + "' already has a key named '" + name + "' (in the config file, with its api_key set)");
      }
      for (String field : List.of("weight", "endpoints")) {
        if (body.containsKey(field)) {
          throw KeyError.invalid(field, "key '" + name + "' of provider '" + provider + "' is declared in the config file with an empty api_key;"
              + " its " + field + " come from there: send only provider, name and api_key to fill it");
        }
      }
      return new ProviderKey(newId(), ProviderKey.Source.ADMIN, provider, name, new Secret(apiKey), slot.weight(), slot.endpoints(), nowMillis);
    }
    double weight = 1.0;
    if (body.containsKey("weight")) {
      if (!(body.getValue("weight") instanceof Number w) || !(w.doubleValue() > 0) || Double.isInfinite(w.doubleValue())) {
        throw KeyError.invalid("weight", "must be a number > 0");
      }
      weight = w.doubleValue();
    }
    return new ProviderKey(newId(), ProviderKey.Source.ADMIN, provider, name, new Secret(apiKey), weight, endpoints(body, provider, name), nowMillis);
  }

  private String newId() {
    return "pk_" + HexFormat.of().formatHex(randomBytes());
  }

  private byte[] randomBytes() {
    byte[] bytes = new byte[12];
    random.nextBytes(bytes);
    return bytes;
  }

  /** The body's endpoints; without any, one endpoint {@code <provider>-<name>} with no limits. */
  private static List<ProviderConfig.EndpointConfig> endpoints(JsonObject body, String provider, String name) {
    if (body.getValue("endpoints") == null) {
      String id = provider + "-" + name;
      if (!id.matches(ENDPOINT_ID)) {
        throw KeyError.invalid("endpoints", "the default endpoint id '" + id + "' is not a valid endpoint id; list the key's endpoints");
      }
      return List.of(new ProviderConfig.EndpointConfig(id, null, null, "", ""));
    }
    if (!(body.getValue("endpoints") instanceof JsonArray list) || list.isEmpty()) {
      throw KeyError.invalid("endpoints", "must be a non-empty list of {id, rpm_limit?, tpm_limit?, base_url?, region?}, or left out");
    }
    List<ProviderConfig.EndpointConfig> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "endpoints[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject e)) {
        throw KeyError.invalid(at, "must be an object {id, rpm_limit?, tpm_limit?, base_url?, region?}");
      }
      for (String field : e.fieldNames()) {
        if (!ENDPOINT_FIELDS.contains(field)) {
          throw KeyError.invalid(at + "." + field, "unknown field '" + field + "'; allowed: id, rpm_limit, tpm_limit, base_url, region");
        }
      }
      String id = string(e, "id", at + ".id");
      if (!id.matches(ENDPOINT_ID)) {
        throw KeyError.invalid(at + ".id", "endpoint ids may use letters, digits, '_', '-', '.' and ':' (at most 100)");
      }
      if (!ids.add(id)) {
        throw KeyError.invalid(at + ".id", "endpoint id '" + id + "' is listed twice");
      }
      String baseUrl = optionalString(e, "base_url", at);
      if (!baseUrl.isEmpty()) {
        checkUrl(baseUrl, at + ".base_url");
        while (baseUrl.endsWith("/")) {
          baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
        }
      }
      String region = optionalString(e, "region", at);
      if (!region.isEmpty() && !ProviderConfig.isRegion(region)) {
        throw KeyError.invalid(at + ".region", ProviderConfig.REGION_RULE);
      }
      out.add(new ProviderConfig.EndpointConfig(id, limit(e, "rpm_limit", at), limit(e, "tpm_limit", at), baseUrl, region));
    }
    return out;
  }

  private static String string(JsonObject json, String field, String param) {
    if (!(json.getValue(field) instanceof String s) || s.isBlank()) {
      throw KeyError.invalid(param, "is required: a non-empty string");
    }
    return s;
  }

  private static String optionalString(JsonObject json, String field, String at) {
    Object value = json.getValue(field);
    if (value == null) {
      return "";
    }
    if (!(value instanceof String s)) {
      throw KeyError.invalid(at + "." + field, "must be a string");
    }
    return s.strip();
  }

  private static Integer limit(JsonObject json, String field, String at) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue()) || n.longValue() <= 0
        || n.longValue() > Integer.MAX_VALUE) {
      throw KeyError.invalid(at + "." + field, "must be a whole number > 0");
    }
    return n.intValue();
  }

  private static void checkUrl(String url, String param) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || uri.getHost() == null) {
        throw KeyError.invalid(param, "must be an http:// or https:// URL, got '" + url + "'");
      }
    } catch (URISyntaxException e) {
      throw KeyError.invalid(param, "must be an http:// or https:// URL, got '" + url + "'");
    }
  }
}
