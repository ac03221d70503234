package dev.ensemble.cache;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PromptGuardsTest {

  @Test
  void aTruePraphraseAgrees() {
    assertNull(PromptGuards.refusal("How do I reset my password?", "How can I reset my password?"));
    assertNull(PromptGuards.refusal("reset my password", "forgot my password"));
    assertNull(PromptGuards.refusal("What is the capital of France?", "Tell me the capital of France"));
  }

  @Test
  void swappedCurrenciesDisagreeOnEntities() {
    assertEquals("entities", PromptGuards.refusal("convert 10 USD to EUR", "convert 10 EUR to USD"));
  }

  @Test
  void differentNumbersDisagree() {
    assertEquals("numbers", PromptGuards.refusal("What is 12 times 7?", "What is 12 times 8?"));
    assertNull(PromptGuards.refusal("Please ship 1,000 units", "please ship 1000 units"));
  }

  @Test
  void aNegationDisagrees() {
    assertEquals("negation", PromptGuards.refusal("Paris is the capital of France", "Paris is not the capital of France"));
    assertEquals("negation", PromptGuards.refusal("Is it safe to mix these?", "Isn't it safe to mix these?"));
  }

  @Test
  void anotherNamedEntityDisagrees() {
    assertEquals("entities", PromptGuards.refusal("What is the capital of France?", "What is the capital of Germany?"));
    assertEquals("entities", PromptGuards.refusal("Paris is the capital of France", "London is the capital of France"));
  }
}
