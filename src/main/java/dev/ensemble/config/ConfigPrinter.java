package dev.ensemble.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Renders a resolved config as YAML in the file's own key names, every {@link Secret} masked, and the
 * user-info part of any URL ({@code redis://user:password@host}) replaced by {@code ****}.
 */
public final class ConfigPrinter {

  private static final Pattern URL_USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\\s]*@");

  private ConfigPrinter() {
  }

  public static String toYaml(EnsembleConfig config) {
    SimpleModule masking = new SimpleModule()
        .addSerializer(Secret.class, new StdSerializer<>(Secret.class) {
          @Override
          public void serialize(Secret value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.masked());
          }
        })
        .addSerializer(String.class, new StdSerializer<>(String.class) {
          @Override
          public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(URL_USER_INFO.matcher(value).replaceFirst("$1****@"));
          }
        })
        .addSerializer(Modalities.class, new StdSerializer<>(Modalities.class) {
          @Override
          public void serialize(Modalities value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            provider.defaultSerializeValue(value.names(), gen);
          }
        })
        .addSerializer(BigDecimal.class, new StdSerializer<>(BigDecimal.class) {
          @Override
          public void serialize(BigDecimal value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeNumber(value.toPlainString());
          }
        })
        .addSerializer(ImagePricing.class, new StdSerializer<>(ImagePricing.class) {
          @Override
          public void serialize(ImagePricing value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value.variants().isEmpty()) {
              gen.writeNumber(value.defaultPrice().toPlainString());
              return;
            }
            gen.writeStartObject();
            gen.writeFieldName("default");
            gen.writeNumber(value.defaultPrice().toPlainString());
            for (java.util.Map.Entry<String, BigDecimal> e : value.variants().entrySet()) {
              gen.writeFieldName(e.getKey());
              gen.writeNumber(e.getValue().toPlainString());
            }
            gen.writeEndObject();
          }
        });
    for (Class<? extends Enum<?>> type : java.util.List.<Class<? extends Enum<?>>>of(ProviderType.class, Strategy.class, ResponsesConfig.Store.class, CacheMode.class,
        ModelKind.class, UpstreamHttp.Version.class)) {
      addLowercase(masking, type);
    }
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .setVisibility(com.fasterxml.jackson.annotation.PropertyAccessor.IS_GETTER, com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.NONE)
        .registerModule(masking)
        .addMixIn(ProviderConfig.class, OmitName.class)
        .addMixIn(ModelConfig.class, OmitNameAndUnset.class)
        .addMixIn(RouteConfig.class, OmitName.class)
        .addMixIn(EnsembleConfig.class, CacheAsResponseCache.class)
        .addMixIn(CacheConfig.class, OmitModels.class)
        .addMixIn(ModelConfig.CacheOverride.class, OmitUnset.class)
        .addMixIn(ModelConfig.Pricing.class, OmitUnset.class);
    try {
      return mapper.writer().withAttribute(ModelsWithResponseCaches.POLICIES, config.cache().models()).writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render config", e);
    }
  }

  /**
   * The node-wide response-cache settings are written {@code response_cache:}; each model's policy under the model,
   * as {@code models.<name>.response_cache}.
   */
  private abstract static class CacheAsResponseCache {
    @com.fasterxml.jackson.annotation.JsonProperty("response_cache")
    abstract CacheConfig cache();

    @com.fasterxml.jackson.databind.annotation.JsonSerialize(using = ModelsWithResponseCaches.class)
    abstract java.util.Map<String, ModelConfig> models();
  }

  /** Model policies are written under their models ({@code models.<name>.response_cache}), not in {@code response_cache:}. */
  @com.fasterxml.jackson.annotation.JsonIgnoreProperties("models")
  private abstract static class OmitModels {
  }

  /**
   * {@code models:}, each model followed by its {@code response_cache} when it sets one (the policies live in
   * {@link CacheConfig#models()}, handed over as the writer attribute {@link #POLICIES}).
   */
  private static final class ModelsWithResponseCaches extends StdSerializer<java.util.Map<String, ModelConfig>> {

    static final String POLICIES = "ensemble.responseCaches";

    @SuppressWarnings({"unchecked", "rawtypes"})
    ModelsWithResponseCaches() {
      super((Class) java.util.Map.class);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void serialize(java.util.Map<String, ModelConfig> models, JsonGenerator gen, SerializerProvider provider) throws IOException {
      java.util.Map<String, ResponseCacheConfig> policies = (java.util.Map<String, ResponseCacheConfig>) provider.getAttribute(POLICIES);
      gen.writeStartObject();
      for (java.util.Map.Entry<String, ModelConfig> e : models.entrySet()) {
        gen.writeFieldName(e.getKey());
        provider.defaultSerializeValue(new PrintedModel(e.getValue(), policies == null ? null : policies.get(e.getKey())), gen);
      }
      gen.writeEndObject();
    }
  }

  /** A model as printed: its own fields, then its response cache policy when it has one. */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  private record PrintedModel(@com.fasterxml.jackson.annotation.JsonUnwrapped ModelConfig model, ResponseCacheConfig responseCache) {
  }

  /** Names are the map keys already; printing them again would make the output unloadable. */
  @com.fasterxml.jackson.annotation.JsonIgnoreProperties("name")
  private abstract static class OmitName {
  }

  /** A model prints no name, and no {@code kind} when it declares none. */
  @com.fasterxml.jackson.annotation.JsonIgnoreProperties("name")
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  private abstract static class OmitNameAndUnset {
  }

  /** A {@code cache:} override prints only the fields it sets. */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  private abstract static class OmitUnset {
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void addLowercase(SimpleModule module, Class type) {
    module.addSerializer(type, new StdSerializer<Enum>(type) {
      @Override
      public void serialize(Enum value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeString(value.name().toLowerCase(Locale.ROOT));
      }
    });
  }
}
