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
 * @param clientBody     the bytes this request was read from, for an upstream of the client's own format
 *                       ({@link ClientBody}), or {@code null} when it was decoded from a tree or changed since
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
    Passthrough passthrough,
    ClientBody clientBody) {

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

  /** A builder with this request's values; what it builds keeps {@link #clientBody} only if nothing but the model changed. */
  public Builder toBuilder() {
    Builder b = new Builder(model);
    b.origin = this;
    b.system.addAll(system);
    b.messages.addAll(messages);
    b.tools.addAll(tools);
    b.stop.addAll(stop);
    return b.toolChoice(toolChoice).maxTokens(maxTokens).temperature(temperature).topP(topP).topK(topK)
        .stream(stream).includeUsage(includeUsage).reasoning(reasoning).user(user).responseFormat(responseFormat).passthrough(passthrough).clientBody(clientBody);
  }

  /** This request without the bytes it was read from. */
  public UnifiedRequest withoutClientBody() {
    return clientBody == null ? this : new UnifiedRequest(model, system, messages, tools, toolChoice, maxTokens,
        temperature, topP, topK, stop, stream, includeUsage, reasoning, user, responseFormat, passthrough, null);
  }

  /** Whether {@code other} says what this request says, apart from the model and the body it was read from. */
  private boolean sameBesidesModel(Builder other) {
    return stream == other.stream && includeUsage == other.includeUsage && Objects.equals(maxTokens, other.maxTokens)
        && Objects.equals(temperature, other.temperature) && Objects.equals(topP, other.topP)
        && Objects.equals(topK, other.topK) && Objects.equals(toolChoice, other.toolChoice)
        && Objects.equals(reasoning, other.reasoning) && Objects.equals(user, other.user)
        && Objects.equals(responseFormat, other.responseFormat) && Objects.equals(passthrough, other.passthrough)
        && system.equals(other.system) && messages.equals(other.messages) && tools.equals(other.tools)
        && stop.equals(other.stop);
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
    private ClientBody clientBody;
    /** The request {@link UnifiedRequest#toBuilder()} started from, or null. */
    private UnifiedRequest origin;

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
    public Builder clientBody(ClientBody clientBody) { this.clientBody = clientBody; return this; }

    /** The request; a body read from the client is kept only while the request still says what it said. */
    public UnifiedRequest build() {
      ClientBody body = clientBody;
      if (body != null && origin != null && body == origin.clientBody && !origin.sameBesidesModel(this)) {
        body = null;
      }
      return new UnifiedRequest(model, system, messages, tools, toolChoice, maxTokens, temperature, topP, topK,
          stop, stream, includeUsage, reasoning, user, responseFormat, passthrough, body);
    }
  }
}
