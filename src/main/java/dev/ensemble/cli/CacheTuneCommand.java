package dev.ensemble.cli;

import dev.ensemble.cache.EmbeddingModule;
import dev.ensemble.cache.EmbeddingModules;
import dev.ensemble.cache.LocalEmbedder;
import dev.ensemble.cache.RequestFingerprint;
import dev.ensemble.cache.ThresholdTuner;
import dev.ensemble.config.ResponseCacheConfig;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.wire.openai.OpenAiClientDialect;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code ensemble cache-tune TRACE}: replays a JSON-lines request trace through a simulated semantic cache with the
 * built-in embedder and prints, for thresholds 0.90…0.98, the hit rate and how many hits would have served an answer
 * that disagrees with the recorded one — so an operator picks {@code threshold} before turning the cache on. Each line is
 * {@code {"request": <OpenAI chat body>, "answer": "..."}} or {@code {"prompt": "...", "answer": "...", "context": "..."}}.
 */
@Command(name = "cache-tune", mixinStandardHelpOptions = true,
    description = "Replay a JSON-lines request trace and print the semantic cache's hit rate and audited disagreement per threshold.")
final class CacheTuneCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "TRACE", description = "JSON lines: {\"request\": {OpenAI chat body}, \"answer\": \"...\"} "
      + "or {\"prompt\": \"...\", \"answer\": \"...\", \"context\": \"...\"}.")
  Path trace;

  @Option(names = "--native-dir", description = "Where the embedder's native libraries are extracted (default: a temp dir).")
  Path nativeDir;

  @Option(names = "--local-embedder-jar", paramLabel = "JAR",
      description = "The optional local embedder module (default: ensemble-local-embedder.jar next to ensemble.jar).")
  Path localEmbedderJar;

  @Override
  public Integer call() throws IOException {
    Path jar = localEmbedderJar != null ? localEmbedderJar.toAbsolutePath() : EmbeddingModules.jar("");
    Optional<EmbeddingModule> module = EmbeddingModules.find(ResponseCacheConfig.LOCAL_EMBEDDER, CacheTuneCommand.class.getClassLoader(), jar);
    if (module.isEmpty()) {
      System.err.println("ensemble: cache-tune: " + EmbeddingModules.missing(ResponseCacheConfig.LOCAL_EMBEDDER, jar)
          + ", or pass --local-embedder-jar JAR");
      return 2;
    }
    List<ThresholdTuner.TraceRequest> requests = new ArrayList<>();
    OpenAiClientDialect openAi = new OpenAiClientDialect();
    List<String> lines = Files.readAllLines(trace);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue;
      }
      try {
        requests.add(request(new JsonObject(line), openAi));
      } catch (DecodeException | GatewayError | ClassCastException | IllegalArgumentException e) {
        System.err.println("ensemble: " + trace + " line " + (i + 1) + ": " + e.getMessage());
        return 2;
      }
    }
    LocalEmbedder embedder = new LocalEmbedder(null, module.get(), nativeDir != null ? nativeDir : Files.createTempDirectory("ensemble-natives-"));
    System.out.print(ThresholdTuner.table(ThresholdTuner.tune(requests, embedder::embedNow)));
    return 0;
  }

  private static ThresholdTuner.TraceRequest request(JsonObject line, OpenAiClientDialect openAi) {
    String answer = line.getString("answer");
    if (answer == null) {
      throw new IllegalArgumentException("every line needs an \"answer\"");
    }
    JsonObject body = line.getJsonObject("request");
    if (body == null) {
      String prompt = line.getString("prompt");
      if (prompt == null) {
        throw new IllegalArgumentException("every line needs a \"request\" or a \"prompt\"");
      }
      return new ThresholdTuner.TraceRequest(line.getString("context", ""), prompt, answer);
    }
    UnifiedRequest request = openAi.decodeRequest(body.containsKey("model") ? body : body.copy().put("model", "trace"));
    RequestFingerprint f = RequestFingerprint.of("trace", request);
    return new ThresholdTuner.TraceRequest(f.contextKey(), f.lastUserText(), answer);
  }
}
