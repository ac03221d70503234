package dev.ensemble.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands {@code ${VAR}} and {@code ${VAR:-default}} in config strings from an environment map.
 * {@code $$} escapes a literal dollar. An unset variable without a default is an error, so a missing
 * secret is caught at start rather than sent upstream as an empty string.
 */
public final class EnvExpander {

  private static final Pattern VAR = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private final Map<String, String> env;

  public EnvExpander(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public String expand(String value, String path) {
    if (value.indexOf('$') < 0) {
      return value;
    }
    Matcher m = VAR.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else {
        String name = m.group(1);
        String fallback = m.group(2);
        String set = env.get(name);
        if (set != null && !(set.isEmpty() && fallback != null)) {
          replacement = set;
        } else if (fallback != null) {
          replacement = fallback;
        } else {
          throw new ConfigException(path, "environment variable " + name + " is not set (use ${" + name + ":-default} for a default)");
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
