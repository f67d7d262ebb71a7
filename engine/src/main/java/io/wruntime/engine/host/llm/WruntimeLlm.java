package io.wruntime.engine.host.llm;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.config.ModuleCapabilities;
import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.llm.Llm.Content;
import io.wruntime.engine.host.llm.Llm.ErrorKind;
import io.wruntime.engine.host.llm.Llm.Event;
import io.wruntime.engine.host.llm.Llm.Failure;
import io.wruntime.engine.host.llm.Llm.Message;
import io.wruntime.engine.host.llm.Llm.Request;
import io.wruntime.engine.host.llm.Llm.Response;
import io.wruntime.engine.host.llm.Llm.Stop;
import io.wruntime.engine.host.llm.Llm.Text;
import io.wruntime.engine.host.llm.Llm.TextDelta;
import io.wruntime.engine.host.llm.Llm.Tool;
import io.wruntime.engine.host.llm.Llm.ToolCall;
import io.wruntime.engine.host.llm.Llm.ToolResult;
import io.wruntime.engine.host.llm.Llm.ToolUse;
import io.wruntime.engine.host.llm.Llm.Usage;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code wruntime:llm/inference@0.1.x} (wit/llm/inference.wit), lowered onto core modules by the
 * Canonical ABI. {@code complete} takes its {@code request} flat (13 values: model and system as
 * option&lt;string&gt; (i32 case, ptr, len), messages (ptr, len), max-tokens, temperature as
 * option&lt;f32&gt; (i32 case, f32), tools (ptr, len)) and a return area of 24 bytes, align 4, for
 * {@code result<response, error>}: u8 case at 0; ok: the content list at 4, stop-reason u8 at 12,
 * usage at 16 and 20; err: the error's u8 case at 4 and its payload at 8 (a string, or
 * rate-limited's option&lt;u32&gt; as u8 case at 8 and the value at 12).
 *
 * <p>In lists: a message is 12 bytes (role u8 at 0, content list at 4); a content 28 bytes (u8 case
 * at 0, payload at 4: text's string, tool-call's id, name, input-json strings, or tool-result's
 * tool-call-id and content strings and is-error u8 at 20); a tool 24 bytes (three strings).
 *
 * <p>{@code complete-stream} takes the same arguments and returns {@code
 * result<own<completion-stream>, error>} in 16 bytes (u8 case at 0; the handle at 4, or the error
 * at 4 as above). {@code [method]completion-stream.next} returns {@code result<option<event>,
 * error>} in 36 bytes: u8 case at 0; ok: the option's u8 case at 4, the event's u8 case at 8 and
 * its payload at 12 (text-delta's string; tool-use's three strings; usage's two u32; stop's u8);
 * err: the error at 4 as above.
 */
public final class WruntimeLlm {
  static final String IFACE = "wruntime:llm/inference";

  private static final int MESSAGE_SIZE = 12;
  private static final int CONTENT_SIZE = 28;
  private static final int TOOL_SIZE = 24;
  private static final long[] NONE = null;

  private WruntimeLlm() {}

  /** Every implemented function of the interface, calling providers with {@code http}. */
  public static List<HostFunctionDef> functions(HttpClient http) {
    requireNonNull(http, "http");
    return functions(() -> http);
  }

  /**
   * As {@link #functions(HttpClient)} with a client of the engine's own, built at the first call to
   * a provider: building one sets up the JDK's TLS stack and reads its trust store, a tenth of a
   * second or more of an engine's start that an engine whose modules never call an LLM need not
   * spend.
   */
  public static List<HostFunctionDef> functions() {
    return functions(OwnClient::get);
  }

  private static List<HostFunctionDef> functions(Supplier<HttpClient> http) {
    LlmProvider provider = new LlmProvider(http);
    List<ValType> params = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      params.add(i == 10 ? ValType.F32 : ValType.I32);
    }
    return List.of(
        new HostFunctionDef(
            IFACE, "complete", params, List.of(), (ctx, a) -> complete(ctx, provider, a)),
        new HostFunctionDef(
            IFACE,
            "complete-stream",
            params,
            List.of(),
            (ctx, a) -> completeStream(ctx, provider, a)),
        new HostFunctionDef(
            IFACE,
            "[method]completion-stream.next",
            List.of(ValType.I32, ValType.I32),
            List.of(),
            WruntimeLlm::next),
        new HostFunctionDef(
            IFACE,
            "[resource-drop]completion-stream",
            List.of(ValType.I32),
            List.of(),
            (ctx, a) -> {
              ctx.resources()
                  .remove(a[0], CompletionStreamResource.class, CompletionStreamResource.WIT)
                  .close();
              return NONE;
            }));
  }

  /** The engine's own client, built when the class is first used (the JVM makes that once). */
  private static final class OwnClient {
    private static final HttpClient CLIENT =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    static HttpClient get() {
      return CLIENT;
    }
  }

  private static Request request(GuestMemory m, long[] a) {
    Reads reads = new Reads(m);
    return new Request(
        optionString(reads, "model", a[0], a[1], a[2]),
        optionString(reads, "system", a[3], a[4], a[5]),
        messages(reads, a[6], a[7]),
        a[8] & 0xFFFF_FFFFL,
        GuestMemory.option("temperature", a[9]) ? Float.intBitsToFloat((int) a[10]) : null,
        tools(reads, a[11], a[12]));
  }

  /**
   * The guest memory a request is read from, and how much of it the host read so far. Lists and
   * strings may point anywhere, also at the same bytes again and again: without a bound, a content
   * list of many elements pointing at one large string would make the host copy far more than the
   * guest's memory. A request whose parts add up to more than the memory is refused.
   */
  private static final class Reads {
    final GuestMemory m;
    private long left;

    Reads(GuestMemory m) {
      this.m = m;
      this.left = m.size();
    }

    void take(String what, long bytes) {
      left -= bytes;
      if (left < 0) {
        throw new AbiViolation(
            what
                + ": the request's strings and lists add up to more than the guest memory of "
                + m.size()
                + " bytes (expected: a request whose parts fit in memory; parts may not be read"
                + " over and over)");
      }
    }

    String string(String what, long ptr, long len) {
      m.checkRange(what, ptr, len);
      take(what, len & 0xFFFF_FFFFL);
      return m.readString(what, ptr, len);
    }
  }

  private static ModuleCapabilities.Llm grant(InstanceContext ctx) throws Failure {
    ModuleCapabilities.Llm grant = ctx.module().grants().llm();
    if (grant == null) {
      throw new Failure(
          ErrorKind.API, "this engine has no LLM provider for the module (expected: a grant)");
    }
    return grant;
  }

  private static long[] completeStream(InstanceContext ctx, LlmProvider provider, long[] a) {
    GuestMemory m = ctx.memory();
    long ret = a[13];
    m.checkAligned("return area", ret, 4, 16);
    Request request = request(m, a);
    CompletionStreamResource.OpenStreams open =
        ctx.state(
            CompletionStreamResource.OpenStreams.class, CompletionStreamResource.OpenStreams::new);
    int max = ctx.module().grants().maxLlmStreams();
    LlmStream stream;
    try {
      if (open.open >= max) {
        throw new Failure(
            ErrorKind.LIMIT_EXCEEDED,
            "this request already has "
                + open.open
                + " LLM streams open (expected: at most [limits] llm_streams = "
                + max
                + " per request; drop a stream to open another)");
      }
      stream = provider.stream(grant(ctx), request);
    } catch (Failure f) {
      writeError(m, ret, f);
      return NONE;
    }
    open.open++;
    CompletionStreamResource resource = new CompletionStreamResource(stream, open);
    int handle = ctx.resources().add(resource);
    m.writeU8("result", ret, 0);
    m.writeI32("completion-stream", ret + 4, handle);
    return NONE;
  }

  private static long[] next(InstanceContext ctx, long[] a) {
    CompletionStreamResource resource =
        ctx.resources().get(a[0], CompletionStreamResource.class, CompletionStreamResource.WIT);
    GuestMemory m = ctx.memory();
    long ret = a[1];
    m.checkAligned("return area", ret, 4, 36);
    Event event;
    try {
      event = resource.stream().next();
    } catch (Failure f) {
      writeError(m, ret, f);
      return NONE;
    }
    m.writeU8("result", ret, 0);
    if (event == null) {
      m.writeU8("option", ret + 4, 0);
      return NONE;
    }
    m.writeU8("option", ret + 4, 1);
    long at = ret + 12;
    switch (event) {
      case TextDelta t -> {
        m.writeU8("event", ret + 8, 0);
        m.writeString("text-delta", at, t.text());
      }
      case ToolCall c -> {
        m.writeU8("event", ret + 8, 1);
        m.writeString("tool-call id", at, c.call().id());
        m.writeString("tool-call name", at + 8, c.call().name());
        m.writeString("tool-call input-json", at + 16, c.call().inputJson());
      }
      case Usage u -> {
        m.writeU8("event", ret + 8, 2);
        m.writeI32("usage", at, (int) Math.min(u.inputTokens(), 0xFFFF_FFFFL));
        m.writeI32("usage", at + 4, (int) Math.min(u.outputTokens(), 0xFFFF_FFFFL));
      }
      case Stop s -> {
        m.writeU8("event", ret + 8, 3);
        m.writeU8("stop-reason", at, s.reason().ordinal());
      }
    }
    return NONE;
  }

  private static long[] complete(InstanceContext ctx, LlmProvider provider, long[] a) {
    GuestMemory m = ctx.memory();
    long ret = a[13];
    m.checkAligned("return area", ret, 4, 24);
    Request request = request(m, a);
    Response response;
    try {
      response = provider.complete(grant(ctx), request);
    } catch (Failure f) {
      writeError(m, ret, f);
      return NONE;
    }
    List<Content> content = response.content();
    int list = m.allocate(4, CONTENT_SIZE * content.size());
    for (int i = 0; i < content.size(); i++) {
      writeContent(m, list + (long) i * CONTENT_SIZE, content.get(i));
    }
    m.writeU8("result", ret, 0);
    m.writeI32("content", ret + 4, list);
    m.writeI32("content", ret + 8, content.size());
    m.writeU8("stop-reason", ret + 12, response.stopReason().ordinal());
    m.writeI32("usage", ret + 16, (int) Math.min(response.inputTokens(), 0xFFFF_FFFFL));
    m.writeI32("usage", ret + 20, (int) Math.min(response.outputTokens(), 0xFFFF_FFFFL));
    return NONE;
  }

  private static void writeError(GuestMemory m, long ret, Failure f) {
    m.writeU8("result", ret, 1);
    m.writeU8("error", ret + 4, f.kind().ordinal());
    if (f.kind() == ErrorKind.RATE_LIMITED) {
      m.writeU8("retry-after", ret + 8, f.retryAfter() == null ? 0 : 1);
      m.writeI32("retry-after", ret + 12, f.retryAfter() == null ? 0 : (int) (long) f.retryAfter());
    } else {
      m.writeString("error", ret + 8, f.getMessage());
    }
  }

  private static void writeContent(GuestMemory m, long at, Content part) {
    switch (part) {
      case Text t -> {
        m.writeU8("content", at, 0);
        m.writeString("text", at + 4, t.text());
      }
      case ToolUse u -> {
        m.writeU8("content", at, 1);
        m.writeString("tool-call id", at + 4, u.id());
        m.writeString("tool-call name", at + 12, u.name());
        m.writeString("tool-call input-json", at + 20, u.inputJson());
      }
      case ToolResult r -> {
        m.writeU8("content", at, 2);
        m.writeString("tool-result tool-call-id", at + 4, r.toolCallId());
        m.writeString("tool-result content", at + 12, r.content());
        m.writeU8("tool-result is-error", at + 20, r.isError() ? 1 : 0);
      }
    }
  }

  private static String optionString(Reads r, String what, long flag, long ptr, long len) {
    return GuestMemory.option(what, flag) ? r.string(what, ptr, len) : null;
  }

  /** Checks a list of {@code count} elements of {@code size} bytes at {@code ptr}; its base. */
  private static long list(Reads r, String what, long ptr, long count, int size) {
    GuestMemory m = r.m;
    long n = count & 0xFFFF_FFFFL;
    long bytes = n * size;
    if (bytes > m.size()) {
      throw new AbiViolation(
          what
              + ": "
              + n
              + " elements of "
              + size
              + " bytes do not fit in guest memory of "
              + m.size()
              + " bytes (expected: a list within memory)");
    }
    m.checkAligned(what, ptr, 4, bytes);
    r.take(what, bytes);
    return ptr & 0xFFFF_FFFFL;
  }

  private static String string(Reads r, String what, long at) {
    GuestMemory m = r.m;
    return r.string(what, m.readI32(what, at) & 0xFFFF_FFFFL, m.readI32(what, at + 4));
  }

  private static List<Message> messages(Reads r, long ptr, long count) {
    GuestMemory m = r.m;
    long base = list(r, "messages", ptr, count, MESSAGE_SIZE);
    List<Message> messages = new ArrayList<>();
    for (long i = 0; i < (count & 0xFFFF_FFFFL); i++) {
      long at = base + i * MESSAGE_SIZE;
      int role = m.readU8("role", at);
      if (role > 1) {
        throw new AbiViolation("role: case " + role + " (expected: 0 user, 1 assistant)");
      }
      messages.add(
          new Message(
              role == 1, content(r, m.readI32("content", at + 4), m.readI32("content", at + 8))));
    }
    return messages;
  }

  private static List<Content> content(Reads r, long ptr, long count) {
    GuestMemory m = r.m;
    long base = list(r, "content", ptr, count, CONTENT_SIZE);
    List<Content> content = new ArrayList<>();
    for (long i = 0; i < (count & 0xFFFF_FFFFL); i++) {
      long at = base + i * CONTENT_SIZE;
      int kind = m.readU8("content", at);
      content.add(
          switch (kind) {
            case 0 -> new Text(string(r, "text", at + 4));
            case 1 ->
                new ToolUse(
                    string(r, "tool-call id", at + 4),
                    string(r, "tool-call name", at + 12),
                    string(r, "tool-call input-json", at + 20));
            case 2 -> {
              int isError = m.readU8("tool-result is-error", at + 20);
              if (isError > 1) {
                throw new AbiViolation("tool-result is-error: " + isError + " (expected: 0 or 1)");
              }
              yield new ToolResult(
                  string(r, "tool-result tool-call-id", at + 4),
                  string(r, "tool-result content", at + 12),
                  isError == 1);
            }
            default ->
                throw new AbiViolation(
                    "content: case " + kind + " (expected: 0 text, 1 tool-use, 2 tool-result)");
          });
    }
    return content;
  }

  private static List<Tool> tools(Reads r, long ptr, long count) {
    GuestMemory m = r.m;
    long base = list(r, "tools", ptr, count, TOOL_SIZE);
    List<Tool> tools = new ArrayList<>();
    for (long i = 0; i < (count & 0xFFFF_FFFFL); i++) {
      long at = base + i * TOOL_SIZE;
      tools.add(
          new Tool(
              string(r, "tool name", at),
              string(r, "tool description", at + 8),
              string(r, "tool input-schema-json", at + 16)));
    }
    return tools;
  }
}
