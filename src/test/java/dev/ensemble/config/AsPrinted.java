package dev.ensemble.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A loaded config as its {@link ConfigPrinter} printout would load back: every {@link Secret} replaced by its
 * mask and the user-info of every URL by {@code ****}, the only values the printer deliberately does not keep.
 * Walks records, lists and maps; anything else is kept as it is.
 */
final class AsPrinted {

  private static final Pattern URL_USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\\s]*@");

  private AsPrinted() {
  }

  static EnsembleConfig of(EnsembleConfig config) {
    return (EnsembleConfig) masked(config);
  }

  private static Object masked(Object value) {
    if (value instanceof Secret secret) {
      return new Secret(secret.masked());
    }
    if (value instanceof String text) {
      return URL_USER_INFO.matcher(text).replaceFirst("$1****@");
    }
    if (value instanceof List<?> list) {
      return list.stream().map(AsPrinted::masked).toList();
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, masked(v)));
      return copy;
    }
    if (value != null && value.getClass().isRecord()) {
      return rebuilt(value);
    }
    return value;
  }

  private static Object rebuilt(Object record) {
    RecordComponent[] components = record.getClass().getRecordComponents();
    try {
      Object[] values = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        components[i].getAccessor().setAccessible(true);
        values[i] = masked(components[i].getAccessor().invoke(record));
      }
      Constructor<?> canonical = record.getClass().getDeclaredConstructor(
          Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
      canonical.setAccessible(true);
      return canonical.newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot copy " + record.getClass().getName(), e instanceof InvocationTargetException t ? t.getCause() : e);
    }
  }
}
