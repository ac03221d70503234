package dev.ensemble.cache;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditLogTest {

  @Test
  void linesRotateAtTheSizeLimitKeepingTheConfiguredFiles() throws Exception {
    Path dir = Files.createTempDirectory("audits-");
    AuditLog log = new AuditLog(dir, 200, 2);
    for (int i = 0; i < 20; i++) {
      log.append(new JsonObject().put("n", i).put("pad", "x".repeat(60)));
    }

    assertTrue(Files.size(log.file()) <= 200 + 100);
    assertTrue(Files.exists(dir.resolve("cache-audits.jsonl.1")));
    assertTrue(Files.exists(dir.resolve("cache-audits.jsonl.2")));
    assertFalse(Files.exists(dir.resolve("cache-audits.jsonl.3")));
    assertEquals(19, log.recent(5).getJsonObject(0).getInteger("n"), "newest first");
    assertEquals(5, log.recent(5).size());
    String last = Files.readAllLines(log.file()).get(Files.readAllLines(log.file()).size() - 1);
    assertEquals(19, new JsonObject(last).getInteger("n"));
  }
}
