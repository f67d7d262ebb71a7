package io.wruntime.engine.host.http;

import static io.wruntime.engine.host.http.HttpAbi.u32;

import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.http.IncomingRequest;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@code wasi:http/types}: {@code incoming-request}, {@code outgoing-request} and {@code
 * request-options}.
 */
final class RequestFunctions {
  static final String INCOMING = "wasi:http/types.incoming-request";
  static final String OUTGOING = "wasi:http/types.outgoing-request";
  static final String OPTIONS = "wasi:http/types.request-options";

  private static final long[] NONE = new long[0];
  private static final long[] OK = {0};
  private static final long[] ERR = {1};

  private RequestFunctions() {}

  static void register(FunctionTable t) {
    registerIncoming(t);
    registerOutgoing(t);
    registerOptions(t);
  }

  private static void registerIncoming(FunctionTable t) {
    // (self) -> method; flat (self, ret); ret: 12 bytes align 4: u8 tag @0, other (ptr, len) @4
    t.add(
        "[method]incoming-request.method",
        "ii",
        "",
        (ctx, a) -> {
          HttpAbi.writeMethod(ctx.memory(), u32(a[1]), incoming(ctx, a[0]).method());
          return NONE;
        });
    // (self) -> option<string>; flat (self, ret); ret: 12 bytes align 4: tag @0, (ptr, len) @4
    t.add(
        "[method]incoming-request.path-with-query",
        "ii",
        "",
        (ctx, a) -> {
          String path = incoming(ctx, a[0]).pathWithQuery();
          HttpAbi.writeOptionString(ctx.memory(), "option<string>", u32(a[1]), path);
          return NONE;
        });
    // (self) -> option<scheme>; flat (self, ret); ret: 16 bytes align 4: tag @0, scheme @4
    t.add(
        "[method]incoming-request.scheme",
        "ii",
        "",
        (ctx, a) -> {
          String scheme = incoming(ctx, a[0]).scheme();
          HttpAbi.writeOptionScheme(
              ctx.memory(), u32(a[1]), scheme == null ? null : scheme.toLowerCase(Locale.ROOT));
          return NONE;
        });
    // (self) -> option<string>; flat (self, ret)
    t.add(
        "[method]incoming-request.authority",
        "ii",
        "",
        (ctx, a) -> {
          String authority = incoming(ctx, a[0]).authority();
          HttpAbi.writeOptionString(ctx.memory(), "option<string>", u32(a[1]), authority);
          return NONE;
        });
    // (self) -> own<headers>: an immutable copy
    t.add(
        "[method]incoming-request.headers",
        "i",
        "i",
        (ctx, a) ->
            new long[] {
              ctx.resources().add(FieldsResource.immutableOf(incoming(ctx, a[0]).headers()))
            });
    // (self) -> result<own<incoming-body>, ()>; flat (self, ret); ret: 8 bytes: tag @0, handle @4
    t.add(
        "[method]incoming-request.consume",
        "ii",
        "",
        (ctx, a) -> {
          IncomingRequestResource r =
              ctx.resources().get(a[0], IncomingRequestResource.class, INCOMING);
          HttpAbi.writeResultOwn(
              ctx,
              u32(a[1]),
              () ->
                  r.consume()
                      ? new IncomingBodyResource(r.request().body(), "incoming request body")
                      : null);
          return NONE;
        });
    t.drop("incoming-request", IncomingRequestResource.class, INCOMING);
  }

  private static void registerOutgoing(FunctionTable t) {
    // (headers: own<headers>) -> own<outgoing-request>
    t.add(
        "[constructor]outgoing-request",
        "i",
        "i",
        (ctx, a) ->
            new long[] {
              ctx.resources().add(new OutgoingRequestResource(FieldsFunctions.take(ctx, a[0])))
            });
    // (self) -> result<own<outgoing-body>, ()>; flat (self, ret); ret: 8 bytes: tag @0, handle @4
    t.add(
        "[method]outgoing-request.body",
        "ii",
        "",
        (ctx, a) -> {
          OutgoingRequestResource r = outgoing(ctx, a[0]);
          HttpAbi.writeResultOwn(ctx, u32(a[1]), () -> r.takeBody(OutgoingBodySink::forRequest));
          return NONE;
        });
    // (self) -> method; flat (self, ret)
    t.add(
        "[method]outgoing-request.method",
        "ii",
        "",
        (ctx, a) -> {
          HttpAbi.writeMethod(ctx.memory(), u32(a[1]), outgoing(ctx, a[0]).method());
          return NONE;
        });
    // (self, method) -> result; flat (self, tag, other ptr, other len) -> i32
    t.add(
        "[method]outgoing-request.set-method",
        "iiii",
        "i",
        (ctx, a) -> {
          OutgoingRequestResource r = outgoing(ctx, a[0]);
          String method = HttpAbi.liftMethod(ctx.memory(), a[1], a[2], a[3]);
          if (!FieldRules.isValidMethod(method)) {
            return ERR;
          }
          r.method(method);
          return OK;
        });
    addOptionString(
        t,
        "path-with-query",
        OutgoingRequestResource::pathWithQuery,
        OutgoingRequestResource::pathWithQuery,
        FieldRules::isValidPathWithQuery);
    addOptionString(
        t,
        "authority",
        OutgoingRequestResource::authority,
        OutgoingRequestResource::authority,
        FieldRules::isValidAuthority);
    // (self) -> option<scheme>; flat (self, ret); ret: 16 bytes align 4
    t.add(
        "[method]outgoing-request.scheme",
        "ii",
        "",
        (ctx, a) -> {
          HttpAbi.writeOptionScheme(ctx.memory(), u32(a[1]), outgoing(ctx, a[0]).scheme());
          return NONE;
        });
    // (self, option<scheme>) -> result; flat (self, tag, scheme tag, other ptr, other len) -> i32
    t.add(
        "[method]outgoing-request.set-scheme",
        "iiiii",
        "i",
        (ctx, a) -> {
          OutgoingRequestResource r = outgoing(ctx, a[0]);
          String scheme = null;
          if (HttpAbi.flag("option<scheme>", a[1])) {
            scheme = HttpAbi.liftScheme(ctx.memory(), a[2], a[3], a[4]);
            if (!FieldRules.isValidScheme(scheme)) {
              return ERR;
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
          }
          r.scheme(scheme);
          return OK;
        });
    // (self) -> own<headers>: an immutable copy
    t.add(
        "[method]outgoing-request.headers",
        "i",
        "i",
        (ctx, a) ->
            new long[] {
              ctx.resources().add(FieldsResource.immutableOf(outgoing(ctx, a[0]).headers()))
            });
    t.drop("outgoing-request", OutgoingRequestResource.class, OUTGOING);
  }

  /**
   * A getter (flat (self, ret) writing option&lt;string&gt;) and a setter (flat (self, tag, ptr,
   * len) returning the result tag) of an optional string property.
   */
  private static void addOptionString(
      FunctionTable t,
      String property,
      Function<OutgoingRequestResource, String> get,
      BiConsumer<OutgoingRequestResource, String> set,
      Predicate<String> valid) {
    t.add(
        "[method]outgoing-request." + property,
        "ii",
        "",
        (ctx, a) -> {
          String value = get.apply(outgoing(ctx, a[0]));
          HttpAbi.writeOptionString(ctx.memory(), "option<string>", u32(a[1]), value);
          return NONE;
        });
    t.add(
        "[method]outgoing-request.set-" + property,
        "iiii",
        "i",
        (ctx, a) -> {
          OutgoingRequestResource r = outgoing(ctx, a[0]);
          String value = null;
          if (HttpAbi.flag("option<string>", a[1])) {
            value = ctx.memory().readString(property, u32(a[2]), a[3]);
            if (!valid.test(value)) {
              return ERR;
            }
          }
          set.accept(r, value);
          return OK;
        });
  }

  private static void registerOptions(FunctionTable t) {
    t.add(
        "[constructor]request-options",
        "",
        "i",
        (ctx, a) -> new long[] {ctx.resources().add(new RequestOptionsResource())});
    addTimeout(t, "connect-timeout", o -> o.connectTimeout, (o, v) -> o.connectTimeout = v);
    addTimeout(t, "first-byte-timeout", o -> o.firstByteTimeout, (o, v) -> o.firstByteTimeout = v);
    addTimeout(
        t,
        "between-bytes-timeout",
        o -> o.betweenBytesTimeout,
        (o, v) -> o.betweenBytesTimeout = v);
    t.drop("request-options", RequestOptionsResource.class, OPTIONS);
  }

  /**
   * A getter (flat (self, ret) writing option&lt;duration&gt;: 16 bytes align 8, tag @0, u64 @8)
   * and a setter (flat (self, tag i32, nanos i64) returning the result tag) of a timeout.
   */
  private static void addTimeout(
      FunctionTable t,
      String property,
      Function<RequestOptionsResource, Long> get,
      BiConsumer<RequestOptionsResource, Long> set) {
    t.add(
        "[method]request-options." + property,
        "ii",
        "",
        (ctx, a) -> {
          HttpAbi.writeOptionU64(ctx.memory(), u32(a[1]), get.apply(options(ctx, a[0])));
          return NONE;
        });
    t.add(
        "[method]request-options.set-" + property,
        "iiI",
        "i",
        (ctx, a) -> {
          RequestOptionsResource o = options(ctx, a[0]);
          set.accept(o, HttpAbi.flag("option<duration>", a[1]) ? a[2] : null);
          return OK;
        });
  }

  private static IncomingRequest incoming(InstanceContext ctx, long handle) {
    return ctx.resources().get(handle, IncomingRequestResource.class, INCOMING).request();
  }

  private static OutgoingRequestResource outgoing(InstanceContext ctx, long handle) {
    return ctx.resources().get(handle, OutgoingRequestResource.class, OUTGOING);
  }

  private static RequestOptionsResource options(InstanceContext ctx, long handle) {
    return ctx.resources().get(handle, RequestOptionsResource.class, OPTIONS);
  }
}
