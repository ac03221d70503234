package dev.ensemble.model;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A chat request in the gateway's unified shape, decoded from whichever client format it arrived in.
 * Lists keep the client's order exactly: tools, then system blocks, then messages form the cacheable
 * prefix, and re-encoding them in the same order keeps provider prompt caches warm.
 *
 * @param model          the model name the client asked for (a catalog name, or {@code provider/model})
 * @param system         system prompt blocks, in order (possibly with cache breakpoints)
 * @param messages       the conversation, alternating user and assistant turns
 * @param tools          tool definitions, in the client's order
 * @param toolChoice     how tools may be used, or {@code null} for the provider default
 * @param maxTokens      the output token cap, or {@code null} when the client set none
 * @param stop           stop sequences, possibly empty
 * @param stream         whether the client asked for a streamed answer
 * @param includeUsage   whether a streaming OpenAI client asked for a usage chunk
 * @param reasoning      extended thinking / reasoning effort, or {@code null}
 * @param user           an end-user id for the provider's abuse tracking, or {@code null}
 * @param responseFormat OpenAI {@code response_format}, passed through to OpenAI-format upstreams, or {@code null}
 * @param passthrough    the client's body for upstreams that speak its format natively, when the unified request
 *                       cannot carry all of it ({@link Passthrough}), or {@code null}
 */
public record UnifiedRequest(
    String model,
    List<ContentBlock.Text> system,
    List<Message> messages,
    List<ToolDefinition> tools,
    ToolChoice toolChoice,
    Integer maxTokens,
    Double temperature,
    Double topP,
    Integer topK,
    List<String> stop,
    boolean stream,
    boolean includeUsage,
    Reasoning reasoning,
    String user,
    JsonObject responseFormat,
    Passthrough passthrough) {

  public UnifiedRequest {
    Objects.requireNonNull(model, "model");
    system = List.copyOf(system);
    messages = List.copyOf(messages);
    tools = List.copyOf(tools);
    stop = List.copyOf(stop);
  }

  /**
   * Extended thinking (Anthropic {@code thinking}) or reasoning effort (OpenAI {@code reasoning_effort}).
   * Either field may be null; adapters translate one into the other where the target needs it. A
   * {@code budgetTokens} of 0 asks for no thinking and -1 lets the model decide (Gemini's {@code thinkingBudget}
   * values); targets without such settings take the nearest they have.
   */
  public record Reasoning(Integer budgetTokens, String effort) {}

  public static Builder builder(String model) {
    return new Builder(model);
  }

  public Builder toBuilder() {
    Builder b = new Builder(model);
    b.system.addAll(system);
    b.messages.addAll(messages);
    b.tools.addAll(tools);
    b.stop.addAll(stop);
    return b.toolChoice(toolChoice).maxTokens(maxTokens).temperature(temperature).topP(topP).topK(topK)
        .stream(stream).includeUsage(includeUsage).reasoning(reasoning).user(user).responseFormat(responseFormat).passthrough(passthrough);
  }

  /** Builds a {@link UnifiedRequest}; lists start empty and are appended to. */
  public static final class Builder {
    private String model;
    private final List<ContentBlock.Text> system = new ArrayList<>();
    private final List<Message> messages = new ArrayList<>();
    private final List<ToolDefinition> tools = new ArrayList<>();
    private final List<String> stop = new ArrayList<>();
    private ToolChoice toolChoice;
    private Integer maxTokens;
    private Double temperature;
    private Double topP;
    private Integer topK;
    private boolean stream;
    private boolean includeUsage;
    private Reasoning reasoning;
    private String user;
    private JsonObject responseFormat;
    private Passthrough passthrough;

    private Builder(String model) {
      this.model = model;
    }

    public Builder model(String model) { this.model = model; return this; }
    public Builder system(ContentBlock.Text block) { system.add(block); return this; }
    public Builder message(Message message) { messages.add(message); return this; }
    public Builder tool(ToolDefinition tool) { tools.add(tool); return this; }
    public Builder stop(String sequence) { stop.add(sequence); return this; }
    public Builder toolChoice(ToolChoice toolChoice) { this.toolChoice = toolChoice; return this; }
    public Builder maxTokens(Integer maxTokens) { this.maxTokens = maxTokens; return this; }
    public Builder temperature(Double temperature) { this.temperature = temperature; return this; }
    public Builder topP(Double topP) { this.topP = topP; return this; }
    public Builder topK(Integer topK) { this.topK = topK; return this; }
    public Builder stream(boolean stream) { this.stream = stream; return this; }
    public Builder includeUsage(boolean includeUsage) { this.includeUsage = includeUsage; return this; }
    public Builder reasoning(Reasoning reasoning) { this.reasoning = reasoning; return this; }
    public Builder user(String user) { this.user = user; return this; }
    public Builder responseFormat(JsonObject responseFormat) { this.responseFormat = responseFormat; return this; }
    public Builder passthrough(Passthrough passthrough) { this.passthrough = passthrough; return this; }

    public UnifiedRequest build() {
      return new UnifiedRequest(model, system, messages, tools, toolChoice, maxTokens, temperature, topP, topK,
          stop, stream, includeUsage, reasoning, user, responseFormat, passthrough);
    }
  }
}
