package dev.ensemble.wire.gemini;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeminiSchemaTest {

  private static JsonObject convert(String schema) {
    return GeminiSchema.convert(new JsonObject(schema));
  }

  @Test
  void dropsKeysGeminiDoesNotKnowAndUpperCasesTypes() {
    assertEquals(new JsonObject("{\"type\":\"OBJECT\",\"properties\":{\"q\":{\"type\":\"STRING\",\"minLength\":1}},\"required\":[\"q\"]}"),
        convert("""
            {"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","type":"object","additionalProperties":false,
             "properties":{"q":{"type":"string","minLength":1,"examples":["a"],"additionalProperties":true}},
             "required":["q"],"patternProperties":{"^x":{}}}"""));
  }

  @Test
  void nullTypesAndNullOptionsBecomeNullable() {
    assertEquals(new JsonObject("{\"type\":\"INTEGER\",\"nullable\":true}"), convert("{\"type\":[\"integer\",\"null\"]}"));
    assertEquals(new JsonObject("{\"nullable\":true,\"type\":\"STRING\",\"format\":\"date\"}"),
        convert("{\"anyOf\":[{\"type\":\"string\",\"format\":\"date\"},{\"type\":\"null\"}]}"));
  }

  @Test
  void inlinesLocalReferencesAndTurnsConstIntoAnEnum() {
    assertEquals(new JsonObject("""
            {"type":"OBJECT","properties":{"pet":{"type":"OBJECT","properties":{"kind":{"enum":["cat"]}},"description":"A pet"}}}"""),
        convert("""
            {"type":"object","$defs":{"Pet":{"type":"object","properties":{"kind":{"const":"cat"}}}},
             "properties":{"pet":{"$ref":"#/$defs/Pet","description":"A pet"}}}"""));
  }

  @Test
  void aRecursiveReferenceIsCutOffInsteadOfLoopingForever() {
    JsonObject converted = convert("""
        {"$defs":{"Node":{"type":"object","properties":{"next":{"$ref":"#/$defs/Node"}}}},"$ref":"#/$defs/Node"}""");
    assertEquals("OBJECT", converted.getString("type"));
  }

  @Test
  void oneOfBecomesAnyOfAndNumericEnumsAreLeftOut() {
    assertEquals(new JsonObject("{\"anyOf\":[{\"type\":\"STRING\"},{\"type\":\"NUMBER\"}]}"),
        convert("{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"number\"}]}"));
    assertEquals(new JsonObject("{\"type\":\"INTEGER\"}"), convert("{\"type\":\"integer\",\"enum\":[1,2]}"));
  }

  @Test
  void anObjectWithoutPropertiesIsEmpty() {
    assertTrue(GeminiSchema.isEmptyObject(convert("{\"type\":\"object\",\"properties\":{}}")));
    assertTrue(GeminiSchema.isEmptyObject(convert("{\"type\":\"object\"}")));
    assertFalse(GeminiSchema.isEmptyObject(convert("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}")));
  }
}
